"""How many meetings booked here each person already has: for `max_meetings_per_day`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from meetbridge.meetings import states
from meetbridge.meetings.models import Participant

# Local days reach at most 14 hours either side of UTC's.
DAY_MARGIN = timedelta(hours=26)


def meeting_starts(
    person_ids: Sequence[int], start: datetime, end: datetime, *, leave_out=None
) -> dict[int, list[datetime]]:
    """For each person, the starts of their meetings that hold time, on days touching
    [start, end); `leave_out`: a booking being moved, which does not count against itself."""
    if not person_ids:
        return {}
    seats = Participant.objects.filter(
        person_id__in=person_ids,
        booking__state__in=states.HOLDS_TIME,
        booking__start__gte=start - DAY_MARGIN,
        booking__start__lt=end + DAY_MARGIN,
    )
    if leave_out is not None:
        seats = seats.exclude(booking_id=leave_out.pk)
    starts: dict[int, list[datetime]] = defaultdict(list)
    for person_id, begins in seats.values_list("person_id", "booking__start"):
        starts[person_id].append(begins)
    return starts
