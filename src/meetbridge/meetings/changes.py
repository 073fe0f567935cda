"""Rescheduling and cancelling a meeting, exactly once; only its organizer may.

A move holds the new time here (`rescheduling`, with `pending_start`/`pending_end`) besides
the old one, re-reads everyone's free/busy, then patches the event; a cancel moves the row to
`cancelling` before the delete. Both calls are idempotent on the calendar's side, so a retry,
or the sweep, can always finish what a crash interrupted.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from meetbridge.integrations.provider import CalendarProvider, EventView, Interval, ProviderError
from meetbridge.meetings import errors, states
from meetbridge.meetings.booking import check_still_free, look_up_after_doubt
from meetbridge.meetings.calendar import GONE_CODES, UNCERTAIN_CODES, calendar_for
from meetbridge.meetings.errors import MeetingError, calendar_failure
from meetbridge.meetings.fitting import check_everyone_fits
from meetbridge.meetings.meeting import Meeting
from meetbridge.meetings.models import Booking
from meetbridge.meetings.people import still_allowed
from meetbridge.meetings.reading import read_fresh, record_event, record_gone, visible_booking
from meetbridge.meetings.reservations import (
    Overtaken,
    SlotTaken,
    advance,
    hold_for_late_answer,
    release_lease,
    reserve_move,
    take_lease,
)
from meetbridge.meetings.resume import resume_abandoned
from meetbridge.meetings.rules import check_times


def organized_booking(person, meeting_id: str) -> Booking:
    booking = visible_booking(person, meeting_id)
    if booking.organizer_id != person.pk:
        raise errors.organizer_only()
    return booking


def reschedule(
    person,
    meeting_id: str,
    *,
    start: datetime | None = None,
    duration: int | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Moves the meeting to `start` for `duration` minutes (each left out: unchanged)."""
    now = now or timezone.now()
    booking = organized_booking(person, meeting_id)
    if duration is None:
        duration = int((booking.end - booking.start).total_seconds() // 60)
    wanted = check_times(start or booking.start, duration, now=now)
    if booking.state == states.RESCHEDULING and not resume_abandoned(booking, now=now):
        raise errors.in_progress()
    if booking.state in (states.CANCELLING, states.CANCELLED):
        raise errors.no_longer_changeable("cancelled")
    if booking.state != states.CONFIRMED:
        raise errors.in_progress()
    provider = calendar_for(booking.tenant, person)
    if wanted == booking.interval:
        return read_fresh(booking, provider)
    seats = list(
        booking.participants.select_related("person__calendar_access").order_by("position")
    )
    still_allowed([seat.person for seat in seats])
    rules = check_everyone_fits([seat.person for seat in seats], wanted, now=now, leave_out=booking)
    try:
        reserve_move(booking, wanted, now=now)
    except SlotTaken as taken:
        email = next(seat.email for seat in seats if seat.person_id == taken.person_id)
        raise errors.slot_taken(email, person.email, moving=True) from None
    except Overtaken:
        raise errors.in_progress() from None
    try:
        return _move(booking, provider, [seat.email for seat in seats], wanted, rules)
    finally:
        release_lease(booking)


def _move(
    booking: Booking,
    provider: CalendarProvider,
    emails: list[str],
    wanted: Interval,
    rules: dict | None = None,
) -> Meeting:
    try:
        check_still_free(
            provider,
            booking.organizer.email,
            emails,
            wanted,
            own_time=booking.interval,
            own_event_id=booking.event_id,
            rules=rules,
        )
    except MeetingError:
        advance(booking, states.CONFIRMED, pending_start=None, pending_end=None)
        raise
    try:
        view = provider.move_event(
            as_email=booking.organizer.email,
            event_id=booking.event_id,
            start=wanted.start,
            end=wanted.end,
            time_zone=booking.time_zone,
            attendee_emails=emails[1:],  # answers to the old time say nothing of the new one
        )
    except ProviderError as error:
        if error.code in UNCERTAIN_CODES:
            hold_for_late_answer(booking)
            raise errors.change_pending() from error
        view = look_up_after_doubt(booking, provider, unknown=errors.change_pending)
        if view is None:
            record_gone(booking)
            raise errors.no_longer_changeable("cancelled") from error
        settle_move(booking, view)
        if (view.start, view.end) != (wanted.start, wanted.end):
            raise calendar_failure(error) from error
    else:
        settle_move(booking, view)
    return Meeting.from_event(view, video_asked=booking.video)


def settle_move(booking: Booking, view: EventView) -> None:
    """Ends a move with the time the calendar shows, whichever of the two it is."""
    if view.status == "cancelled":
        record_gone(booking)
        return
    advance(
        booking,
        states.CONFIRMED,
        start=view.start,
        end=view.end,
        pending_start=None,
        pending_end=None,
    )
    record_event(booking, view)


def cancel(person, meeting_id: str, *, now=None) -> None:
    """Cancels the meeting; the calendar notifies the attendees. Cancelling twice is fine."""
    now = now or timezone.now()
    booking = organized_booking(person, meeting_id)
    if booking.state == states.CANCELLED:
        return
    provider = calendar_for(booking.tenant, person)
    if not take_lease(booking, now=now):
        raise errors.in_progress()
    try:
        if booking.state != states.CANCELLING and not advance(booking, states.CANCELLING, now=now):
            raise errors.in_progress()
        finish_cancel(booking, provider)
    finally:
        release_lease(booking)


def finish_cancel(booking: Booking, provider: CalendarProvider) -> None:
    try:
        provider.cancel_event(as_email=booking.organizer.email, event_id=booking.event_id)
    except ProviderError as error:
        if error.code not in GONE_CODES:
            raise errors.change_pending() from error
    advance(booking, states.CANCELLED, status="cancelled", pending_start=None, pending_end=None)
