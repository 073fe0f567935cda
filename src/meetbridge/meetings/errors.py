"""The ways a meeting request can be refused, each with the contract's error shape."""

from __future__ import annotations

from typing import Any

from meetbridge.api.errors import ApiError
from meetbridge.integrations.failures import http_status, retry_headers
from meetbridge.integrations.provider import ProviderError


class MeetingError(ApiError):
    """A refusal the API answers as is and a page shows as its message."""

    @classmethod
    def from_body(cls, status: int, body: dict[str, Any]) -> MeetingError:
        detail = dict(body.get("error", {}))
        code = detail.pop("code", "error")
        message = detail.pop("message", "The request failed.")
        return cls(status, code, message, **detail)


def slot_taken(email: str, organizer_email: str, *, moving: bool = False) -> MeetingError:
    """`moving`: the time asked for is a meeting's new time, which nobody offered as free, so
    the person is busy then, not "no longer free"."""
    if moving:
        who = "You are" if email == organizer_email else f"{email} is"
        message = f"{who} busy at the new time; pick another time."
    elif email == organizer_email:
        message = "You are no longer free at that time; pick another slot."
    else:
        message = f"{email} is no longer free at that time; pick another slot."
    return MeetingError(409, "slot_taken", message, email=email)


def too_close(email: str, organizer_email: str) -> MeetingError:
    who = "You keep" if email == organizer_email else f"{email} keeps"
    return MeetingError(
        409,
        "slot_taken",
        f"{who} time free before and after meetings, and that time is too close to another "
        "meeting; pick another slot.",
        email=email,
    )


def calendar_unreadable(email: str) -> MeetingError:
    return MeetingError(
        503,
        "calendar_unreadable",
        f"The calendar system could not read {email}'s calendar just now, so the time cannot be confirmed "
        "free; try again in a minute.",
        email=email,
    )


def not_found() -> MeetingError:
    return MeetingError(
        404, "not_found", "That meeting does not exist or is not one of yours booked here."
    )


def organizer_only() -> MeetingError:
    return MeetingError(
        403, "organizer_only", "Only the organizer can reschedule or cancel this meeting."
    )


IN_PROGRESS_RETRY_SECONDS = 2


def in_progress() -> MeetingError:
    error = MeetingError(
        409,
        "request_in_progress",
        "This meeting is being booked or changed by another request right now; try again in "
        "a few seconds.",
    )
    error.headers = {"Retry-After": str(IN_PROGRESS_RETRY_SECONDS)}
    return error


def pending() -> MeetingError:
    return MeetingError(
        503,
        "booking_pending",
        "The calendar did not confirm in time. The meeting will be confirmed or abandoned "
        "automatically within a few minutes: repeat the request with the same Idempotency-Key, "
        "or look at your meetings, to learn which.",
    )


def change_pending() -> MeetingError:
    return MeetingError(
        503,
        "change_pending",
        "The calendar did not confirm the change in time; meetbridge completes it "
        "automatically within a few minutes. Look at the meeting again shortly.",
    )


def no_longer_changeable(state: str) -> MeetingError:
    return MeetingError(
        409, "meeting_cancelled", f"This meeting is {state}; it can no longer be changed."
    )


def organizer_revoked(email: str) -> MeetingError:
    return MeetingError(
        409,
        "organizer_access_revoked",
        f"The organizer {email} revoked meetbridge's calendar access, so this meeting can no "
        "longer be read from their calendar.",
    )


def calendar_failure(error: ProviderError) -> MeetingError:
    """A provider's refusal, in words for the person booking (its fix is for admins); the
    status comes from the one table in `integrations.failures`, as on every route."""
    status = http_status(error)
    if error.code == "calendar_not_connected":
        failure = MeetingError(409, error.code, f"{error.message} {error.fix}".strip())
    elif status == 429:
        failure = MeetingError(
            429,
            f"calendar_{error.code}",
            f"{error.message} Nothing was booked or changed; try again later.",
        )
    elif status == 503:
        failure = MeetingError(
            503,
            "calendar_unavailable",
            f"The calendar system is not answering right now ({error.message}); try again in a "
            "minute. Nothing was booked or changed.",
        )
    elif status in (404, 409, 422):
        failure = MeetingError(status, error.code, error.message)
    else:
        failure = MeetingError(
            502,
            "calendar_refused",
            f"The calendar system refused the request: {error.message} "
            "If this persists, ask a tenant admin to check the Integrations page.",
        )
    failure.headers = retry_headers(error)
    return failure
