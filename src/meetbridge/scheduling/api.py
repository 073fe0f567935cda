from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema
from pydantic import StrictBool

from meetbridge.api.auth import caller
from meetbridge.api.errors import ApiError
from meetbridge.api.schemas import ErrorOut, JsonObjectIn
from meetbridge.integrations.api import provider_error
from meetbridge.integrations.provider import ProviderError
from meetbridge.scheduling import consent
from meetbridge.scheduling.availability import (
    MIN_NOTICE_MINUTES,
    AvailabilityRefused,
    AvailabilityRequest,
    find_availability,
)
from meetbridge.scheduling.rules import MAX_HORIZON, parse_moment

router = Router(tags=["scheduling"])


class CalendarAccessIn(JsonObjectIn):
    # Consent is never implied: `true` grants, `false` revokes, anything else is refused.
    granted: StrictBool = Field(
        description="true grants calendar access; false revokes it. Required."
    )
    time_zone: str | None = Field(None, description="IANA zone; left out: unchanged")
    working_hours: dict[str, Any] | None = Field(
        None,
        description='{"mon": [["09:00", "17:00"]], ...}; a missing day has no working hours; '
        "left out: unchanged",
    )


class CalendarAccessOut(Schema):
    calendar_access: bool
    time_zone: str
    working_hours: dict[str, list[list[str]]]


class AvailabilityQuery(Schema):
    with_: list[str] = Field([], alias="with", description="a colleague's e-mail; repeatable")
    start: str = Field(..., description="RFC 3339 with an offset")
    end: str = Field(..., description="RFC 3339 with an offset")
    duration: int = Field(..., description="meeting length in minutes")
    interval: int = Field(15, description="start times every N minutes from the top of the hour")


class SlotOut(Schema):
    start: str
    end: str


class UnknownOut(Schema):
    email: str
    reason: str


class AvailabilityOut(Schema):
    time_zone: str
    slots: list[SlotOut]
    unknown: list[UnknownOut] = Field(
        description="people whose calendar Google could not read: while anyone is listed here, "
        "no slot is offered, since their free time is not known"
    )


def _consent_out(state: consent.Consent) -> dict:
    return {
        "calendar_access": state.granted,
        "time_zone": state.time_zone,
        "working_hours": state.working_hours,
    }


@router.put(
    "/me/calendar",
    response={200: CalendarAccessOut, 401: ErrorOut, 422: ErrorOut},
    summary="Grant calendar access, with time zone and working hours",
)
def grant_calendar_access(request: HttpRequest, payload: CalendarAccessIn):
    person = caller(request)
    if not payload.granted:
        consent.revoke(person)
        return _consent_out(consent.consent_of(person))
    state = consent.grant(person, time_zone=payload.time_zone, working_hours=payload.working_hours)
    return _consent_out(state)


@router.delete(
    "/me/calendar",
    response={204: None, 401: ErrorOut},
    summary="Revoke calendar access: nothing of your calendar is read from then on",
)
def revoke_calendar_access(request: HttpRequest):
    consent.revoke(caller(request))
    return HttpResponse(status=204)


@router.get(
    "/availability",
    response={
        200: AvailabilityOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        502: ErrorOut,
        503: ErrorOut,
    },
    summary="Common free slots of the caller and colleagues, in the caller's time zone",
    description=(
        "Only Google's free/busy is read, in one round trip for everyone. A slot is `duration` "
        "minutes in which the caller and every `with` colleague are inside their own working "
        "hours (read on their own wall clock) and not busy; a busy block ending exactly when a "
        "slot starts does not collide. Starts fall every `interval` minutes (5, 10, 15, 20, 30 "
        "or 60) from the top of the hour on the caller's clock, at least "
        f"{MIN_NOTICE_MINUTES} minutes from now, and `end` is at most "
        f"{MAX_HORIZON.days} days ahead. Colleagues must be in the caller's organisation and "
        "have granted calendar access (else 422 `not_schedulable`, naming them), as must the "
        "caller (else 403). A calendar Google could not read is listed in `unknown`, and while "
        "anyone is unknown no slot is offered."
    ),
)
def availability(request: HttpRequest, query: Query[AvailabilityQuery]):
    person = caller(request)
    asked = AvailabilityRequest(
        emails=query.with_,
        start=parse_moment(query.start, "start"),
        end=parse_moment(query.end, "end"),
        duration_minutes=query.duration,
        interval_minutes=query.interval,
    )
    try:
        found = find_availability(person, asked)
    except AvailabilityRefused as exc:
        raise ApiError(exc.status, exc.code, exc.message, **exc.extra) from None
    except ProviderError as exc:
        raise provider_error(exc) from None
    zone = ZoneInfo(found.time_zone)
    body = {
        "time_zone": found.time_zone,
        "slots": [
            {
                "start": s.start.astimezone(zone).isoformat(),
                "end": s.end.astimezone(zone).isoformat(),
            }
            for s in found.slots
        ],
        "unknown": [{"email": e, "reason": r} for e, r in sorted(found.unknown.items())],
    }
    # Built to AvailabilityOut's shape by hand: validating hundreds of slots through the
    # schema again costs more CPU than the rest of the answer.
    return JsonResponse(body)
