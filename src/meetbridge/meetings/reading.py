"""Reading meetings back: only events meetbridge made, only the contract's fields.

The calendar is the truth. Each fresh read also brings our row up to date with it (the
attendees' responses, a move or a cancellation made in the calendar itself), so our own
record of who is busy when follows what people did outside meetbridge.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from meetbridge.integrations.provider import CalendarProvider, EventView, ProviderError
from meetbridge.meetings import errors, states
from meetbridge.meetings.calendar import GONE_CODES, calendar_for, is_ours
from meetbridge.meetings.errors import MeetingError, calendar_failure
from meetbridge.meetings.event_ids import booking_id_from
from meetbridge.meetings.meeting import Meeting
from meetbridge.meetings.models import Booking
from meetbridge.meetings.reservations import advance
from meetbridge.meetings.resume import resume_each, resume_stale_of
from meetbridge.scheduling.consent import has_granted

# How many upcoming meetings a listing reads fresh from the calendar; the rest (and past
# meetings) show what the calendar said when last read.
FRESH_READS_PER_LISTING = 20


def visible_booking(person, meeting_id: str) -> Booking:
    """The caller's meeting (as organizer or attendee) of that id, else 404.

    Ids meetbridge never derived, other tenants' bookings and bookings that never reached the
    calendar all answer the same 404, before any call to the calendar.
    """
    booking_id = booking_id_from(meeting_id)
    if booking_id is None:
        raise errors.not_found()
    booking = (
        Booking.objects.select_related("organizer__calendar_access", "tenant")
        .filter(
            pk=booking_id,
            tenant_id=person.tenant_id,
            state__in=states.VISIBLE,
            participants__person=person,
        )
        .first()
    )
    if booking is None:
        raise errors.not_found()
    return booking


def read_meeting(person, meeting_id: str, *, now: datetime | None = None) -> Meeting:
    booking = visible_booking(person, meeting_id)
    resume_each([booking], now=now or timezone.now())
    return read_fresh(booking, calendar_for(booking.tenant, person))


def read_fresh(booking: Booking, provider: CalendarProvider) -> Meeting:
    """events.get on the organizer's calendar, checking the private marker."""
    organizer = booking.organizer
    if not has_granted(organizer):
        raise errors.organizer_revoked(organizer.email)
    try:
        view = provider.get_event(as_email=organizer.email, event_id=booking.event_id)
    except ProviderError as error:
        if error.code in GONE_CODES:
            record_gone(booking)
            return booking.as_meeting()
        raise calendar_failure(error) from error
    if not is_ours(view, booking):
        raise errors.not_found()
    record_event(booking, view)
    if booking.state in states.UNSETTLED:
        return booking.as_meeting()  # a change under way shows as such, not as the old state
    return Meeting.from_event(view, video_asked=booking.video)


def list_meetings(person, *, now: datetime) -> list[Meeting]:
    """The person's meetings booked here, soonest first; upcoming ones read fresh.

    An organizer also sees what meetbridge could not finish for them: a booking it gave up
    settling, or a failed one whose event the calendar still shows.
    """
    resume_stale_of(person, now=now)
    unfinished = Q(organizer=person) & (
        Q(withdrawal_pending=True) | Q(state__in=states.UNSETTLED, gave_up_at__isnull=False)
    )
    bookings = (
        Booking.objects.filter(tenant_id=person.tenant_id, participants__person=person)
        .filter(Q(state__in=states.VISIBLE) | unfinished)
        .select_related("organizer__calendar_access", "tenant")
        .prefetch_related("participants")
        .order_by("start", "created_at")
    )
    provider = None
    fresh_reads = FRESH_READS_PER_LISTING
    meetings = []
    for booking in bookings:
        meeting = None
        if fresh_reads and booking.state == states.CONFIRMED and booking.end > now:
            fresh_reads -= 1
            try:
                provider = provider or calendar_for(booking.tenant, person)
                meeting = read_fresh(booking, provider)
            except MeetingError:
                meeting = None  # the calendar cannot be read now: show what we last knew
        meetings.append(meeting or booking.as_meeting())
    return meetings


def record_event(booking: Booking, view: EventView) -> None:
    """Brings the row up to date with the event as the calendar shows it."""
    if view.status == "cancelled":
        record_gone(booking)
        return
    update = {
        "status": view.status,
        "title": view.title[:200],
        "html_link": view.html_link or "",
        "video_link": view.video_link or "",
    }
    if booking.state == states.CONFIRMED and (view.start, view.end) != (booking.start, booking.end):
        # Moved in the calendar itself: our record of when these people are busy follows.
        update |= {"start": view.start, "end": view.end}
    changed = {name: value for name, value in update.items() if getattr(booking, name) != value}
    # Nothing new (as right after a confirmation, which wrote these): no write.
    if changed and Booking.objects.filter(pk=booking.pk, state=booking.state).update(**changed):
        for name, value in changed.items():
            setattr(booking, name, value)
    # Only attendees' answers are news: their seats start as needsAction and nobody
    # un-answers; the organizer's seat is `accepted` from the start.
    organizer = booking.organizer.email
    responses = {
        attendee.email.lower(): attendee.response
        for attendee in view.attendees
        if attendee.response != "needsAction" and attendee.email.lower() != organizer
    }
    if not responses:
        return
    for seat in booking.participants.all():
        response = responses.get(seat.email)
        if response and response != seat.response:
            seat.response = response
            seat.save(update_fields=["response"])


def record_gone(booking: Booking) -> None:
    """The event was cancelled or deleted in the calendar: so is the booking."""
    if states.can_move(booking.state, states.CANCELLED):
        advance(booking, states.CANCELLED, status="cancelled", pending_start=None, pending_end=None)
