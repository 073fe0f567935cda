"""/api/v1/meetings: book, list, read, reschedule and cancel meetings."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Router, Schema, Status
from pydantic import Field

from meetbridge.api.auth import caller
from meetbridge.api.schemas import ErrorOut, JsonObjectIn
from meetbridge.meetings.booking import book
from meetbridge.meetings.changes import cancel, reschedule
from meetbridge.meetings.idempotency import MAX_KEY_LENGTH
from meetbridge.meetings.reading import list_meetings, read_meeting
from meetbridge.meetings.rules import LIMITS
from meetbridge.meetings.unfinished import admin_view, unfinished_of
from meetbridge.tenants.api import admin_caller

router = Router(tags=["meetings"])

ERRORS = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
    502: ErrorOut,
    503: ErrorOut,
}


def _limits(**bounds) -> dict:
    """Bounds stated in the OpenAPI document; the booking rules enforce them, with their own
    error codes (invalid_duration, title_too_long, ...)."""
    return {"json_schema_extra": bounds}


class MeetingIn(JsonObjectIn):
    attendees: list[str] = Field(
        description="Colleagues' e-mail addresses (not your own), each once.",
        **_limits(minItems=1, maxItems=LIMITS.max_attendees),
    )
    start: datetime = Field(
        description="RFC 3339 with an offset, in the future, at most "
        f"{LIMITS.horizon.days} days ahead."
    )
    duration: int = Field(
        description=f"Minutes, from {LIMITS.min_minutes} to {LIMITS.max_minutes}.",
        **_limits(minimum=LIMITS.min_minutes, maximum=LIMITS.max_minutes),
    )
    title: str = Field(
        description=f"One line of text, up to {LIMITS.max_title} characters.",
        **_limits(minLength=1, maxLength=LIMITS.max_title),
    )
    description: str = Field(
        "",
        description="Plain text for the invitation; not kept after.",
        **_limits(maxLength=LIMITS.max_description),
    )
    video: bool = Field(False, description="Add a video meeting link (the calendar system's own).")


class RescheduleIn(JsonObjectIn):
    start: datetime | None = Field(None, description="New start; default: unchanged.")
    duration: int | None = Field(
        None,
        description=f"New length in minutes ({LIMITS.min_minutes} to {LIMITS.max_minutes}); "
        "default: unchanged.",
        **_limits(minimum=LIMITS.min_minutes, maximum=LIMITS.max_minutes),
    )


class AttendeeOut(Schema):
    email: str
    response: str = Field(description="needsAction, accepted, declined or tentative.")


class MovingToOut(Schema):
    start: datetime
    end: datetime


class ProblemOut(Schema):
    code: str
    message: str


class MeetingOut(Schema):
    id: str
    status: str = Field(
        description="confirmed, tentative or cancelled as the calendar says; while a change is "
        "under way: cancelling, rescheduling (see moving_to), or inserting/failed with a problem."
    )
    title: str
    start: datetime
    end: datetime
    organizer: str
    attendees: list[AttendeeOut]
    html_link: str | None
    video_link: str | None
    moving_to: MovingToOut | None = Field(
        None, description="While `status` is `rescheduling`: the time the meeting is moving to."
    )
    problem: ProblemOut | None = Field(
        None,
        description="Something meetbridge could not finish on the calendar (it stopped trying, "
        "or keeps trying to withdraw a failed booking's event).",
    )
    video_note: str | None = Field(
        None,
        description="Set when a video link was asked for (`video: true`) and the calendar "
        "created the meeting without one, e.g. video meetings are not available to the "
        "organizer; null otherwise.",
    )


@router.post(
    "/meetings",
    response={201: MeetingOut, **ERRORS},
    summary="Book a meeting, with you as organizer",
    description=(
        "Re-checks everyone's free/busy and inserts the event on your calendar, inviting the "
        "attendees. Send an `Idempotency-Key` header to make a retry safe: a repeat answers "
        "the first answer. 409 `slot_taken` names the person whose time is no longer free."
    ),
)
def create_meeting(
    request: HttpRequest,
    payload: MeetingIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        description=f"Any unique string (a UUID), 1 to {MAX_KEY_LENGTH} visible ASCII characters; "
        "a repeat with it answers the first answer, and one sent while the first is still being "
        "booked waits for it or answers 409 request_in_progress with Retry-After.",
    ),
):
    body = book(
        caller(request),
        attendees=payload.attendees,
        start=payload.start,
        duration=payload.duration,
        title=payload.title,
        description=payload.description,
        video=payload.video,
        idempotency_key=idempotency_key,
    )
    return Status(201, body)


@router.get(
    "/meetings",
    response={200: list[MeetingOut], **ERRORS},
    summary="Your meetings booked here, as organizer or attendee",
)
def meetings(request: HttpRequest):
    return [m.to_json() for m in list_meetings(caller(request), now=timezone.now())]


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, **ERRORS},
    summary="One of your meetings, read fresh from the calendar",
)
def meeting(request: HttpRequest, meeting_id: str):
    return read_meeting(caller(request), meeting_id).to_json()


@router.patch(
    "/meetings/{meeting_id}",
    response={200: MeetingOut, **ERRORS},
    summary="Reschedule a meeting you organise",
)
def move_meeting(request: HttpRequest, meeting_id: str, payload: RescheduleIn):
    return reschedule(
        caller(request), meeting_id, start=payload.start, duration=payload.duration
    ).to_json()


@router.delete(
    "/meetings/{meeting_id}",
    response={204: None, **ERRORS},
    summary="Cancel a meeting you organise; the calendar notifies the attendees",
)
def cancel_meeting(request: HttpRequest, meeting_id: str):
    cancel(caller(request), meeting_id)
    return Status(204, None)


class UnfinishedMeetingOut(Schema):
    id: str
    title: str
    start: datetime
    end: datetime
    organizer: str
    status: str = Field(
        description="Where the change stopped: inserting, rescheduling, cancelling, or failed "
        "(its event still to be withdrawn)."
    )
    problem: ProblemOut
    tries: int = Field(description="Failed tries so far at finishing it.")
    since: datetime = Field(description="When the booking last changed state.")
    gave_up_at: datetime | None = Field(
        None, description="When meetbridge stopped trying (null: it keeps trying)."
    )
    next_try_at: datetime | None = Field(None, description="The next try, while it keeps trying.")


@router.get(
    "/unfinished-meetings",
    response={200: list[UnfinishedMeetingOut], 401: ErrorOut, 403: ErrorOut},
    summary="Tenant admins: meetings meetbridge could not finish on the calendar, oldest first",
    description=(
        "Changes the sweep gave up on (the organizer can try again) and failed bookings whose "
        "event the calendar has not let meetbridge withdraw yet (tried again until gone). The "
        "same list as the admin's home page, at most 200."
    ),
)
def unfinished_meetings(request: HttpRequest):
    person = admin_caller(request)
    return [admin_view(booking) for booking in unfinished_of(person.tenant)[:200]]
