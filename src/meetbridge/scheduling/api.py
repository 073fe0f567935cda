from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import StrictBool

from meetbridge.api.auth import caller
from meetbridge.api.errors import ApiError
from meetbridge.api.schemas import ErrorOut, JsonObjectIn
from meetbridge.integrations.api import provider_error
from meetbridge.integrations.provider import ProviderError
from meetbridge.scheduling import consent, directory
from meetbridge.scheduling.availability import (
    MAX_COLLEAGUES,
    MIN_NOTICE_MINUTES,
    Availability,
    AvailabilityRefused,
    AvailabilityRequest,
    find_availability,
    people_times,
)
from meetbridge.scheduling.limits import FIELDS as RULE_FIELDS
from meetbridge.scheduling.rules import (
    INTERVALS,
    MAX_DURATION_MINUTES,
    MAX_HORIZON,
    MIN_DURATION_MINUTES,
    parse_moment,
)
from meetbridge.scheduling.slots import hours_key, working_spans
from meetbridge.scheduling.wall_clock import local_isoformats

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
    buffer_before_minutes: int | None = Field(
        None,
        description="0-120: minutes kept free before each new meeting; no meeting is offered "
        "or booked closer than this after one of your busy times; left out: unchanged",
    )
    buffer_after_minutes: int | None = Field(
        None,
        description="0-120: minutes kept free after each new meeting; no meeting is offered "
        "or booked ending closer than this before one of your busy times; left out: unchanged",
    )
    minimum_notice_minutes: int | None = Field(
        None,
        description="no slot is offered, and nothing booked or moved, starting sooner than "
        "this many minutes from now (at most 14 days); left out: unchanged",
    )
    max_meetings_per_day: int | None = Field(
        None,
        description="on a day (your local day) that already holds this many meetings booked "
        "here, nothing more is offered or accepted; 0 removes the limit; left out: unchanged",
    )


class CalendarAccessOut(Schema):
    calendar_access: bool
    time_zone: str
    working_hours: dict[str, list[list[str]]]
    buffer_before_minutes: int
    buffer_after_minutes: int
    minimum_notice_minutes: int
    max_meetings_per_day: int | None


class AvailabilityQuery(Schema):
    # Bounds stated for the OpenAPI document; the rules enforce them with their own codes.
    with_: list[str] = Field(
        [],
        alias="with",
        description=f"a colleague's e-mail; repeatable, at most {MAX_COLLEAGUES}",
        json_schema_extra={"maxItems": MAX_COLLEAGUES},
    )
    start: str = Field(
        ..., description="RFC 3339 with an offset", json_schema_extra={"maxLength": 64}
    )
    end: str = Field(
        ...,
        description=f"RFC 3339 with an offset, at most {MAX_HORIZON.days} days after start and "
        "from now",
        json_schema_extra={"maxLength": 64},
    )
    duration: int = Field(
        ...,
        description=f"meeting length in minutes, {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES}",
        json_schema_extra={"minimum": MIN_DURATION_MINUTES, "maximum": MAX_DURATION_MINUTES},
    )
    interval: int = Field(
        15,
        description="start times every N minutes from the top of the hour",
        json_schema_extra={"enum": list(INTERVALS)},
    )


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
        description="people whose calendar the calendar system could not read: while anyone is listed here, "
        "no slot is offered, since their free time is not known"
    )


def _consent_out(state: consent.Consent) -> dict:
    return {
        "calendar_access": state.granted,
        "time_zone": state.time_zone,
        "working_hours": state.working_hours,
        **state.rules.as_dict(),
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
    rules = {name: getattr(payload, name) for name in RULE_FIELDS}
    state = consent.grant(
        person, time_zone=payload.time_zone, working_hours=payload.working_hours, rules=rules
    )
    return _consent_out(state)


@router.delete(
    "/me/calendar",
    response={204: None, 401: ErrorOut},
    summary="Revoke calendar access: nothing of your calendar is read from then on",
)
def revoke_calendar_access(request: HttpRequest):
    consent.revoke(caller(request))
    return HttpResponse(status=204)


def asked_for(query: AvailabilityQuery | ScheduleQuery) -> AvailabilityRequest:
    return AvailabilityRequest(
        emails=query.with_,
        start=parse_moment(query.start, "start"),
        end=parse_moment(query.end, "end"),
        duration_minutes=query.duration,
        interval_minutes=query.interval,
    )


def answer(person, asked: AvailabilityRequest) -> Availability:
    """`find_availability`, its refusals and the provider's failures as API errors."""
    try:
        return find_availability(person, asked)
    except AvailabilityRefused as exc:
        raise ApiError(exc.status, exc.code, exc.message, **exc.extra) from None
    except ProviderError as exc:
        raise provider_error(exc) from None


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
        "Only free/busy is read, in one round trip for everyone. A slot is `duration` "
        "minutes in which the caller and every `with` colleague are inside their own working "
        "hours (read on their own wall clock) and not busy; a busy block ending exactly when a "
        "slot starts does not collide. Starts fall every `interval` minutes (5, 10, 15, 20, 30 "
        "or 60) from the top of the hour on the caller's clock, at least "
        f"{MIN_NOTICE_MINUTES} minutes from now, and `end` is at most "
        f"{MAX_HORIZON.days} days ahead. Colleagues must be in the caller's organisation and "
        "have granted calendar access (else 422 `not_schedulable`, naming them), as must the "
        "caller (else 403). A calendar that could not be read is listed in `unknown`, and while "
        "anyone is unknown no slot is offered."
    ),
)
def availability(request: HttpRequest, query: Query[AvailabilityQuery]):
    person = caller(request)
    found = answer(person, asked_for(query))
    # Most slots end when a later one starts: each instant is written once.
    instants = sorted({moment for span in found.slot_spans for moment in span})
    text = dict(zip(instants, local_isoformats(instants, found.time_zone), strict=True))
    body = {
        "time_zone": found.time_zone,
        "slots": [{"start": text[start], "end": text[end]} for start, end in found.slot_spans],
        "unknown": [{"email": e, "reason": r} for e, r in sorted(found.unknown.items())],
    }
    # Built to AvailabilityOut's shape by hand, and written by orjson: validating and encoding
    # hundreds of slots the general way costs more CPU than the rest of the answer.
    return HttpResponse(orjson.dumps(body), content_type="application/json")


class PeopleQuery(Schema):
    q: str = Field("", max_length=100, description="words of a name or an e-mail address")
    limit: int = Field(10, ge=1, le=20, description="at most this many (1-20)")


class ColleagueOut(Schema):
    email: str
    name: str
    time_zone: str
    local_time: str = Field(description="HH:MM on their clock now")


@router.get(
    "/people",
    response={200: list[ColleagueOut], 401: ErrorOut, 422: ErrorOut},
    summary="Colleagues you can find times with, by name or address",
    description=(
        "Members of your organisation who granted calendar access (not you), whose name or "
        "address contains every word of `q`, sorted by name, at most `limit` (20). Each with "
        "their time zone and current local time."
    ),
)
def people(request: HttpRequest, query: Query[PeopleQuery]):
    person = caller(request)
    found = directory.search(person, query.q, now=timezone.now(), limit=query.limit)
    return [c.as_dict() for c in found]


class ScheduleQuery(Schema):
    with_: list[str] = Field([], alias="with", description="a colleague's e-mail; repeatable")
    start: str = Field(..., description="RFC 3339 with an offset")
    end: str = Field(..., description="RFC 3339 with an offset")
    duration: int = Field(30, description="meeting length in minutes, for `free`")
    interval: int = Field(15, description="start times every N minutes, for `free`")


class SpanOut(Schema):
    start: str
    end: str


class PersonScheduleOut(Schema):
    email: str
    name: str
    time_zone: str
    working: list[SpanOut]
    busy: list[SpanOut]


class ScheduleOut(Schema):
    time_zone: str
    people: list[PersonScheduleOut]
    free: list[SpanOut]
    unknown: list[UnknownOut]


@router.get(
    "/schedule",
    response={
        200: ScheduleOut,
        401: ErrorOut,
        403: ErrorOut,
        422: ErrorOut,
        502: ErrorOut,
        503: ErrorOut,
    },
    summary="Free/busy grid: each person's working hours and busy time, and the common slots",
    description=(
        "For the caller and every `with` colleague (who must have granted calendar access, as "
        "for availability): `working`, when their own wall clock shows working hours, and "
        "`busy`, their free/busy blocks (never titles or any other detail), both within "
        "[start, end); `free` is what `GET /api/v1/availability` would offer for `duration`, "
        "scheduling rules included. Times are in the caller's zone."
    ),
)
def schedule(request: HttpRequest, query: Query[ScheduleQuery]):
    person = caller(request)
    asked = asked_for(query)
    found = answer(person, asked)
    zone = ZoneInfo(found.time_zone)

    def spans(pairs) -> list[dict]:
        return [
            {
                "start": datetime.fromtimestamp(a, zone).isoformat(),
                "end": datetime.fromtimestamp(b, zone).isoformat(),
            }
            for a, b in pairs
        ]

    lo, hi = int(asked.start.timestamp()), int(asked.end.timestamp())
    return {
        "time_zone": found.time_zone,
        "people": [
            {
                "email": p.email,
                "name": p.name,
                "time_zone": p.time_zone,
                "working": spans(working_spans(p.time_zone, hours_key(p.working_hours), lo, hi)),
                "busy": spans((max(a, lo), min(b, hi)) for a, b in p.busy if b > lo and a < hi),
            }
            for p in people_times(found)
        ],
        "free": spans(found.slot_spans),
        "unknown": [{"email": e, "reason": r} for e, r in sorted(found.unknown.items())],
    }
