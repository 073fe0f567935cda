"""The sweep: settles bookings a crash or an unanswered call left half-way.

Each unsettled row is resolved from what the calendar says, so that in the end the calendar
has exactly the meetings our database calls confirmed:
- `inserting`: events.get decides: the event exists -> `confirmed`; it does not -> `failed`.
- `rescheduling`: the row takes whichever time the event shows.
- `cancelling`: the delete is sent again (deleting twice is harmless).
Rows are only touched once nobody holds them and a grace period has passed, so an insert
still on its way to the calendar is never judged missing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from meetbridge.meetings import states
from meetbridge.meetings.booking import confirm, fail, look_up_after_doubt
from meetbridge.meetings.calendar import calendar_for
from meetbridge.meetings.changes import finish_cancel, settle_move
from meetbridge.meetings.errors import MeetingError
from meetbridge.meetings.models import Booking, IdempotencyRecord
from meetbridge.meetings.reading import record_gone
from meetbridge.meetings.reservations import release_lease, take_lease

log = logging.getLogger(__name__)

DEFAULT_GRACE_SECONDS = 300
IDEMPOTENCY_DAYS = 1


def grace_period() -> timedelta:
    return timedelta(
        seconds=settings.MEETBRIDGE.get("BOOKING_SWEEP_GRACE_SECONDS", DEFAULT_GRACE_SECONDS)
    )


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Settles every booking left unsettled for longer than the grace period.

    Answers how many rows ended in each state (the rest stay for the next sweep).
    """
    now = now or timezone.now()
    stale = Booking.objects.filter(
        state__in=states.UNSETTLED, changed_at__lt=now - grace_period()
    ).filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
    outcome: dict[str, int] = {}
    for booking in stale.select_related("organizer", "tenant").order_by("changed_at")[:500]:
        if not take_lease(booking, now=now):
            continue
        try:
            settle(booking)
        except MeetingError as problem:
            log.warning("Booking %s stays %s: %s", booking.pk, booking.state, problem.code)
        finally:
            release_lease(booking)
        outcome[booking.state] = outcome.get(booking.state, 0) + 1
    IdempotencyRecord.objects.filter(created_at__lt=now - timedelta(days=IDEMPOTENCY_DAYS)).delete()
    return outcome


def settle(booking: Booking) -> None:
    provider = calendar_for(booking.tenant)
    if booking.state == states.CANCELLING:
        finish_cancel(booking, provider)
        return
    view = look_up_after_doubt(booking, provider)
    if booking.state == states.INSERTING:
        if view is None:
            fail(booking, _never_made())
        else:
            confirm(booking, view, provider)
    elif booking.state == states.RESCHEDULING:
        if view is None:
            record_gone(booking)
        else:
            settle_move(booking, view)


def _never_made() -> MeetingError:
    return MeetingError(
        409, "booking_not_made", "The calendar never made the event; nothing was booked."
    )
