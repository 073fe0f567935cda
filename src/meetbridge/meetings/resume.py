"""Finishing a change a crashed request left half-way, in whichever request touches it next.

A row left `inserting`, `rescheduling` or `cancelling` by a process that died is settled from
what the calendar says as soon as its lease has run out, by the next request that needs it
(a retried booking, a move, a new booking of the same time), not only by the sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from meetbridge.integrations.provider import Interval
from meetbridge.meetings import states
from meetbridge.meetings.errors import MeetingError
from meetbridge.meetings.models import Booking
from meetbridge.meetings.reservations import release_lease, stale_holders, take_lease

# At most this many abandoned changes a person's listing settles before answering.
RESUMED_PER_LISTING = 5

log = logging.getLogger(__name__)


def resume_abandoned(booking: Booking, *, now: datetime) -> bool:
    """Settles the booking if a change of it is unsettled and nobody holds it any more.

    True when nothing is left under way (the copy shows the settled state); False while
    another request or the sweep still works on it. Raises MeetingError when the calendar
    cannot tell right now.
    """
    if booking.state not in states.UNSETTLED:
        return True
    if not take_lease(booking, now=now):
        return False
    # repair builds on booking/changes, which call this module: imported when needed.
    from meetbridge.meetings.repair import settle

    try:
        settle(booking)
    finally:
        release_lease(booking)
    return booking.state not in states.UNSETTLED


def release_stale_holds(person_ids: Sequence[int], wanted: Interval, *, now: datetime) -> None:
    """Settles what crashed requests left holding this time for these people, so that a new
    booking is not refused for a slot nobody is booking any more."""
    resume_each(stale_holders(person_ids, wanted, now=now), now=now)


def resume_stale_of(person, *, now: datetime) -> None:
    """Settles the person's bookings that crashed requests left under way (lease run out)."""
    abandoned = (
        Booking.objects.filter(
            tenant_id=person.tenant_id,
            participants__person=person,
            state__in=states.UNSETTLED,
            lease_until__lte=now,
            gave_up_at__isnull=True,
        )
        .select_related("organizer", "tenant")
        .order_by("changed_at")[:RESUMED_PER_LISTING]
    )
    resume_each(abandoned, now=now)


def resume_each(bookings, *, now: datetime) -> None:
    for booking in bookings:
        try:
            resume_abandoned(booking, now=now)
        except MeetingError as problem:
            # The calendar cannot tell now; the booking stays under way (and keeps holding
            # its time) until it can.
            log.info("Booking %s stays %s: %s", booking.pk, booking.state, problem.code)
