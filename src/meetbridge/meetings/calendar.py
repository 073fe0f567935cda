"""The tenant's calendar, as meetings see it: the provider, the draft and the private marker."""

from __future__ import annotations

from meetbridge.integrations.provider import CalendarProvider, EventDraft, EventView, ProviderError
from meetbridge.meetings.errors import calendar_failure

# Private extended properties: visible only on the organizer's copy of the event, to callers
# acting for the organizer. They tell meetbridge's events from every other event.
MARKER_TENANT = "meetbridge_tenant"
MARKER_BOOKING = "meetbridge_booking"

# Errors after which the calendar may still be working on the request.
UNCERTAIN_CODES = frozenset({"unreachable", "timeout"})
GONE_CODES = frozenset({"not_found", "gone"})


def calendar_for(tenant, actor=None) -> CalendarProvider:
    """The tenant's verified calendar connection, acting on `actor`'s request (None: a job)."""
    from meetbridge.integrations.access import provider_for
    from meetbridge.integrations.freebusy_cache import DropsStaleAnswers

    try:
        return DropsStaleAnswers(provider_for(tenant, actor), tenant.id)
    except ProviderError as error:
        raise calendar_failure(error) from error


def marker_for(booking) -> dict[str, str]:
    return {MARKER_TENANT: booking.tenant.slug, MARKER_BOOKING: str(booking.pk)}


def is_ours(view: EventView, booking) -> bool:
    """The event carries this booking's marker: this tenant's meetbridge made it for it."""
    expected = marker_for(booking)
    return view.event_id == booking.event_id and all(
        view.marker.get(name) == value for name, value in expected.items()
    )


def draft_for(booking, attendee_emails: tuple[str, ...]) -> EventDraft:
    return EventDraft(
        event_id=booking.event_id,
        title=booking.title,
        start=booking.start,
        end=booking.end,
        organizer_email=booking.organizer.email,
        attendee_emails=attendee_emails,
        time_zone=booking.time_zone,
        description=booking.description,
        video=booking.video,
        marker=marker_for(booking),
    )
