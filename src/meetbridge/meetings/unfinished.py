"""What meetbridge could not finish on the calendar: retried with backoff, shown, audited.

A change the sweep cannot settle is tried again later, each time after a longer wait, and
given up after `SWEEP_MAX_TRIES` tries; an event of a failed booking that the calendar refuses
to withdraw is tried again until it is gone. Either way the organizer sees it on the meeting
(its `problem`), tenant admins see it on their home page, and the audit log records it.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from meetbridge.audit.models import AuditEvent
from meetbridge.audit.service import record
from meetbridge.integrations.provider import CalendarProvider, ProviderError
from meetbridge.meetings import retry, states
from meetbridge.meetings.calendar import GONE_CODES
from meetbridge.meetings.models import Booking


def max_tries() -> int:
    return settings.MEETBRIDGE.get("SWEEP_MAX_TRIES", retry.DEFAULT_MAX_TRIES)


def _audit(booking: Booking, operation: str, *, outcome: str, detail: str) -> None:
    record(
        tenant=booking.tenant,
        kind=AuditEvent.Kind.MEETING_REPAIR,
        operation=operation,
        subject_email=booking.organizer.email,
        outcome=outcome,
        detail=f"“{booking.title}” ({booking.event_id}): {detail}",
    )


def withdraw(booking: Booking, provider: CalendarProvider, *, now: datetime | None = None) -> bool:
    """Deletes the event of a failed booking; when the calendar refuses, the sweep tries
    again later. True when the event is gone."""
    try:
        provider.cancel_event(as_email=booking.organizer.email, event_id=booking.event_id)
    except ProviderError as error:
        if error.code not in GONE_CODES:
            _withdrawal_failed(booking, error, now=now or timezone.now())
            return False
    if booking.withdrawal_pending:
        Booking.objects.filter(pk=booking.pk).update(
            withdrawal_pending=False, tries=0, next_try_at=None
        )
        booking.withdrawal_pending = False
        _audit(booking, "meeting.withdrawn", outcome="ok", detail="event removed at last")
    return True


def _withdrawal_failed(booking: Booking, error: ProviderError, *, now: datetime) -> None:
    first = not booking.withdrawal_pending
    tries = 1 if first else booking.tries + 1
    Booking.objects.filter(pk=booking.pk).update(
        withdrawal_pending=True, tries=tries, next_try_at=now + retry.delay_after(tries)
    )
    booking.withdrawal_pending, booking.tries = True, tries
    if first:
        _audit(
            booking,
            "meeting.withdrawal_failed",
            outcome=error.code,
            detail="the booking failed but its event could not be removed; retrying",
        )


def note_failed_try(booking: Booking, problem, *, now: datetime) -> bool:
    """Counts a failed try of the sweep at settling the booking (or withdrawing its event,
    which is never given up). True when it gives up."""
    tries = booking.tries + 1
    if booking.withdrawal_pending or not retry.gives_up(tries, max_tries()):
        Booking.objects.filter(pk=booking.pk).update(
            tries=tries, next_try_at=now + retry.delay_after(tries)
        )
        return False
    given_up = Booking.objects.filter(pk=booking.pk, state=booking.state).update(
        tries=tries,
        next_try_at=None,
        gave_up_at=now,
        problem_code=problem.code[:64],
        problem_message=problem.message[:500],
    )
    if given_up:
        _audit(
            booking,
            "meeting.sweep_gave_up",
            outcome=problem.code,
            detail=f"still {booking.state} after {tries} tries: {problem.message}",
        )
    return bool(given_up)


def unfinished_of(tenant) -> QuerySet[Booking]:
    """The tenant's bookings meetbridge could not finish, oldest first (for its admins)."""
    return (
        Booking.objects.filter(tenant=tenant)
        .filter(
            Q(withdrawal_pending=True) | Q(state__in=states.UNSETTLED, gave_up_at__isnull=False)
        )
        .select_related("organizer")
        .order_by("changed_at")
    )


def admin_view(booking: Booking) -> dict:
    """One unfinished booking as a tenant admin sees it (the API's UnfinishedMeetingOut)."""
    return {
        "id": booking.event_id,
        "title": booking.title,
        "start": booking.start,
        "end": booking.end,
        "organizer": booking.organizer.email,
        "status": booking.state,
        "problem": states.unfinished_problem(booking.state, booking.withdrawal_pending),
        "tries": booking.tries,
        "since": booking.changed_at,
        "gave_up_at": booking.gave_up_at,
        "next_try_at": booking.next_try_at,
    }
