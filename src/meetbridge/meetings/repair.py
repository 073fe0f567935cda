"""The sweep: settles bookings a crash or an unanswered call left half-way.

Each unsettled row is resolved from what the calendar says, so that in the end the calendar
has exactly the meetings our database calls confirmed:
- `inserting`: events.get decides: the event exists -> `confirmed`; it does not -> `failed`.
- `rescheduling`: the row takes whichever time the event shows.
- `cancelling`: the delete is sent again (deleting twice is harmless).
A row is touched as soon as nobody holds it: its lease has run out (a request that died), or
its holder let go, and for a call that timed out the grace period has passed too (see
`reservations.hold_for_late_answer`), so an insert still on its way is never judged missing.
A row the calendar will not let us settle is tried again with backoff and, after a bounded
number of tries, shown to people instead (`unfinished.py`); a failed booking's event the
calendar refused to withdraw is withdrawn again until it is gone.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from meetbridge.meetings import errors, states
from meetbridge.meetings.booking import confirm, fail, look_up_after_doubt
from meetbridge.meetings.calendar import calendar_for
from meetbridge.meetings.changes import finish_cancel, settle_move
from meetbridge.meetings.errors import MeetingError
from meetbridge.meetings.models import Booking, IdempotencyRecord
from meetbridge.meetings.reading import record_gone
from meetbridge.meetings.reservations import grace_period, release_lease, take_lease
from meetbridge.meetings.unfinished import note_failed_try, withdraw

log = logging.getLogger(__name__)

IDEMPOTENCY_DAYS = 1
BATCH = 500


def due_for_sweep(now: datetime):
    """Rows the sweep may work on now: unsettled or awaiting a withdrawal, held by nobody,
    and (after a failed try) due again."""
    nobody_holds = Q(lease_until__lte=now) | Q(
        lease_until__isnull=True, changed_at__lt=now - grace_period()
    )
    due = Q(next_try_at__isnull=True) | Q(next_try_at__lte=now)
    unsettled = Q(state__in=states.UNSETTLED, gave_up_at__isnull=True)
    withdrawal = Q(state=states.FAILED, withdrawal_pending=True)
    return Booking.objects.filter(unsettled | withdrawal).filter(nobody_holds, due)


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Settles every booking nobody works on any more.

    Answers how many rows ended in each state (the rest stay for a later sweep).
    """
    now = now or timezone.now()
    outcome: dict[str, int] = {}
    rows = due_for_sweep(now).select_related("organizer", "tenant").order_by("changed_at")
    for booking in rows[:BATCH]:
        if not take_lease(booking, now=now):
            continue
        try:
            if booking.withdrawal_pending:
                withdraw(booking, calendar_for(booking.tenant), now=now)
            else:
                settle(booking)
        except MeetingError as problem:
            log.warning("Booking %s stays %s: %s", booking.pk, booking.state, problem.code)
            note_failed_try(booking, problem, now=now)
        finally:
            release_lease(booking)
        outcome[booking.state] = outcome.get(booking.state, 0) + 1
    IdempotencyRecord.objects.filter(created_at__lt=now - timedelta(days=IDEMPOTENCY_DAYS)).delete()
    return outcome


def settle(booking: Booking) -> None:
    """Ends the booking's unsettled change from what the calendar says; the caller holds it."""
    provider = calendar_for(booking.tenant)
    if booking.state == states.CANCELLING:
        finish_cancel(booking, provider)
        return
    unknown = errors.pending if booking.state == states.INSERTING else errors.change_pending
    view = look_up_after_doubt(booking, provider, unknown=unknown)
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
