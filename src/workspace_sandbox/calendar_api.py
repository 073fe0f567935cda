"""Calendar API v3 over HTTP: access-token, API-enabled, scope and rate checks in front of
`events.*` and `freeBusy`."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import events
from . import google_errors as errors
from .busy import busy_periods
from .google_errors import ApiError
from .state import AccessToken, World
from .timeutil import format_in_zone, format_stamp, now, parse_rfc3339, zone

SCOPE = "https://www.googleapis.com/auth/"
# Which scopes each method accepts, as the discovery document lists them.
READ_EVENTS = frozenset(
    SCOPE + s
    for s in (
        "calendar", "calendar.app.created", "calendar.events", "calendar.events.freebusy",
        "calendar.events.owned", "calendar.events.owned.readonly", "calendar.events.public.readonly",
        "calendar.events.readonly", "calendar.readonly",
    )
)  # fmt: skip
WRITE_EVENTS = frozenset(
    SCOPE + s
    for s in ("calendar", "calendar.app.created", "calendar.events", "calendar.events.owned")
)
FREE_BUSY = frozenset(
    SCOPE + s
    for s in ("calendar", "calendar.events.freebusy", "calendar.freebusy", "calendar.readonly")
)
MAX_FREEBUSY_CALENDARS = 50
MAX_FREEBUSY_RANGE = timedelta(days=90)

Handler = Callable[[Request, World, AccessToken], Awaitable[Response]]
# Google's names for the methods, as clients and meetbridge's audit log call them.
OPERATIONS = {
    "free_busy": "freebusy.query",
    "list_events": "events.list",
    "insert_event": "events.insert",
    "get_event": "events.get",
    "patch_event": "events.patch",
    "update_event": "events.update",
    "delete_event": "events.delete",
}


def google_api(scopes: frozenset[str]):
    """Wraps a handler with the checks Google makes before any Calendar method runs."""

    def wrap(handler: Handler):
        operation = "calendar." + OPERATIONS[handler.__name__]

        async def endpoint(request: Request) -> Response:
            world: World = request.app.state.world
            world.calls[operation] += 1
            try:
                token = _authorise(world, request, scopes)
                return await handler(request, world, token)
            except ApiError as error:
                headers = (
                    {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
                    if error.status == 401
                    else None
                )
                return JSONResponse(error.body(), status_code=error.status, headers=headers)

        return endpoint

    return wrap


def _authorise(world: World, request: Request, scopes: frozenset[str]) -> AccessToken:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    token = world.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
    account = world.service_accounts.get(token.client_email) if token else None
    if (
        token is None
        or token.expires_at <= world.clock.now()
        or account is None
        or account.disabled
        or account.deleted
    ):
        raise errors.invalid_credentials()
    project = world.projects[token.project_id]
    if not project.calendar_api_enabled:
        raise errors.api_not_enabled(project.number)
    if not token.scopes & scopes:
        raise errors.insufficient_scopes()
    if not world.within_rate(
        ("user", project.project_id, token.principal), world.user_requests_per_minute
    ):
        raise errors.user_rate_limited()
    if not world.within_rate(("project", project.project_id), world.project_requests_per_minute):
        raise errors.project_rate_limited()
    return token


async def _json_body(request: Request):
    try:
        return json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise errors.parse_error() from exc


def _count_change(world: World, token: AccessToken) -> None:
    """Creating and changing events counts against the user's daily calendar usage limit,
    which, unlike the per-minute rate limits, is not worth retrying soon."""
    if not world.within_rate(
        ("changes", token.principal), world.user_changes_per_day, period=86_400
    ):
        raise errors.usage_limits_exceeded()


def _own_calendar(token: AccessToken, calendar_id: str) -> str:
    """Events are readable on the caller's own calendar only: a domain's default sharing shows
    other people's free/busy, not their events."""
    calendar = token.principal if calendar_id == "primary" else calendar_id.lower()
    if calendar != token.principal:
        raise errors.not_found()
    return calendar


def _conference_version(request: Request) -> bool:
    value = request.query_params.get("conferenceDataVersion", "0")
    if value not in ("0", "1"):
        raise errors.invalid("Invalid conferenceDataVersion value.")
    return value == "1"


def _check_send_updates(request: Request) -> None:
    if request.query_params.get("sendUpdates", "none") not in ("all", "externalOnly", "none"):
        raise errors.invalid("Invalid value for: sendUpdates")


def _forbid_invites_without_delegation(token: AccessToken, body) -> None:
    if not token.delegated and isinstance(body, dict) and body.get("attendees"):
        raise errors.forbidden_for_service_accounts()


def _time_param(request: Request, name: str):
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError as exc:
        raise ApiError(400, "badRequest", "Bad Request") from exc


@google_api(WRITE_EVENTS)
async def insert_event(request: Request, world: World, token: AccessToken) -> Response:
    calendar = _own_calendar(token, request.path_params["calendarId"])
    conference = _conference_version(request)
    _check_send_updates(request)
    body = await _json_body(request)
    _forbid_invites_without_delegation(token, body)
    _count_change(world, token)
    event = events.insert(world, calendar, body, conference=conference, now=now())
    return JSONResponse(event)


@google_api(READ_EVENTS)
async def get_event(request: Request, world: World, token: AccessToken) -> Response:
    calendar = _own_calendar(token, request.path_params["calendarId"])
    return JSONResponse(events.get(world, calendar, request.path_params["eventId"]))


@google_api(WRITE_EVENTS)
async def patch_event(request: Request, world: World, token: AccessToken) -> Response:
    return await _change(request, world, token, events.patch)


@google_api(WRITE_EVENTS)
async def update_event(request: Request, world: World, token: AccessToken) -> Response:
    return await _change(request, world, token, events.update)


async def _change(request, world, token, operation) -> Response:
    calendar = _own_calendar(token, request.path_params["calendarId"])
    conference = _conference_version(request)
    _check_send_updates(request)
    body = await _json_body(request)
    _forbid_invites_without_delegation(token, body)
    _count_change(world, token)
    event = operation(
        world, calendar, request.path_params["eventId"], body, conference=conference, now=now()
    )
    return JSONResponse(event)


@google_api(WRITE_EVENTS)
async def delete_event(request: Request, world: World, token: AccessToken) -> Response:
    calendar = _own_calendar(token, request.path_params["calendarId"])
    _check_send_updates(request)
    _count_change(world, token)
    events.delete(world, calendar, request.path_params["eventId"], now=now())
    return Response(status_code=204)


@google_api(READ_EVENTS)
async def list_events(request: Request, world: World, token: AccessToken) -> Response:
    calendar = _own_calendar(token, request.path_params["calendarId"])
    params = request.query_params
    query = {
        "timeMin": _time_param(request, "timeMin"),
        "timeMax": _time_param(request, "timeMax"),
        "privateExtendedProperty": params.getlist("privateExtendedProperty"),
        "sharedExtendedProperty": params.getlist("sharedExtendedProperty"),
        "showDeleted": params.get("showDeleted") == "true",
        "singleEvents": params.get("singleEvents") == "true",
        "orderBy": params.get("orderBy"),
        "q": params.get("q"),
        "iCalUID": params.get("iCalUID"),
    }
    if query["timeMin"] and query["timeMax"] and query["timeMax"] <= query["timeMin"]:
        raise errors.time_range_empty()
    if query["orderBy"] not in (None, "startTime", "updated") or (
        query["orderBy"] == "startTime" and not query["singleEvents"]
    ):
        raise errors.invalid("The requested ordering is not available for the particular query.")
    limit, offset = _page(params)
    found = events.list_events(world, calendar, query)
    body = {
        "kind": "calendar#events",
        "etag": f'"p{len(found)}"',
        "summary": calendar,
        "description": "",
        "updated": format_stamp(now()),
        "timeZone": world.calendar_zone(calendar).key,
        "accessRole": "owner",
        "defaultReminders": [],
        "items": found[offset : offset + limit],
    }
    if offset + limit < len(found):
        body["nextPageToken"] = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
    return JSONResponse(body)


def _page(params) -> tuple[int, int]:
    try:
        limit = int(params.get("maxResults", "250"))
        token = params.get("pageToken")
        offset = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
    except ValueError as exc:
        raise errors.invalid("Invalid Value") from exc
    if not 1 <= limit <= 2500 or offset < 0:
        raise errors.invalid("Invalid Value")
    return limit, offset


@google_api(FREE_BUSY)
async def free_busy(request: Request, world: World, token: AccessToken) -> Response:
    body = await _json_body(request)
    if not isinstance(body, dict):
        raise errors.parse_error()
    window = (_body_time(body, "timeMin"), _body_time(body, "timeMax"))
    if window[1] <= window[0]:
        raise errors.time_range_empty()
    if window[1] - window[0] > MAX_FREEBUSY_RANGE:
        raise errors.time_range_too_long()
    try:
        out_zone = zone(body.get("timeZone"))
    except ValueError as exc:
        raise errors.invalid("Invalid time zone.") from exc
    if not _int_within(body.get("calendarExpansionMax", 50), 50) or not _int_within(
        body.get("groupExpansionMax", 100), 100
    ):
        raise errors.invalid("Invalid Value")
    items = body.get("items") or []
    if not isinstance(items, list) or not all(
        isinstance(i, dict) and isinstance(i.get("id"), str) for i in items
    ):
        raise errors.invalid("Invalid Value")
    calendars = {}
    for index, item in enumerate(items):
        calendars[item["id"]] = _calendar_busy(world, token, item["id"], index, window, out_zone)
    answer = {
        "kind": "calendar#freeBusy",
        "timeMin": format_stamp(window[0]),
        "timeMax": format_stamp(window[1]),
        "groups": {},
        "calendars": calendars,
    }
    # The bytes JSONResponse would send, written several times faster.
    return Response(orjson.dumps(answer), media_type="application/json")


def _calendar_busy(
    world: World, token: AccessToken, calendar_id: str, index: int, window, out_zone
) -> dict:
    if index >= MAX_FREEBUSY_CALENDARS:
        return {"busy": [], "errors": [{"domain": "global", "reason": "tooManyCalendarsRequested"}]}
    calendar = token.principal if calendar_id == "primary" else calendar_id.lower()
    if not _may_see_free_busy(world, token, calendar):
        return {"busy": [], "errors": [{"domain": "global", "reason": "notFound"}]}
    # Busy time needs only the stored times, status and responses: no per-viewer copy of each
    # event (a deep copy per event per call was most of freeBusy's cost).
    stored_bodies = [stored.body for stored in world.calendars[calendar].values()]
    periods = busy_periods(stored_bodies, calendar, world.calendar_zone(calendar), window)
    return {
        "busy": [
            {"start": format_in_zone(s, out_zone), "end": format_in_zone(e, out_zone)}
            for s, e in periods
        ]
    }


def _may_see_free_busy(world: World, token: AccessToken, calendar: str) -> bool:
    """Your own calendar, or a colleague's in the same Workspace domain (Google's default)."""
    if calendar == token.principal:
        return True
    user = world.user(calendar)
    return (
        token.delegated
        and user is not None
        and world.workspace_of(calendar) is world.workspace_of(token.principal)
    )


def _body_time(body: dict, name: str):
    if name not in body:
        raise errors.required(f"Missing {name} parameter.")
    try:
        return parse_rfc3339(body[name])
    except ValueError as exc:
        raise ApiError(400, "badRequest", "Bad Request") from exc


def _int_within(value, maximum: int) -> bool:
    return isinstance(value, int) and 0 < value <= maximum


async def unknown_method(request: Request) -> Response:
    return JSONResponse(errors.not_found().body(), status_code=404)


routes = [
    Route("/calendar/v3/freeBusy", free_busy, methods=["POST"]),
    Route("/calendar/v3/calendars/{calendarId}/events", list_events, methods=["GET"]),
    Route("/calendar/v3/calendars/{calendarId}/events", insert_event, methods=["POST"]),
    Route("/calendar/v3/calendars/{calendarId}/events/{eventId}", get_event, methods=["GET"]),
    Route("/calendar/v3/calendars/{calendarId}/events/{eventId}", patch_event, methods=["PATCH"]),
    Route("/calendar/v3/calendars/{calendarId}/events/{eventId}", update_event, methods=["PUT"]),
    Route("/calendar/v3/calendars/{calendarId}/events/{eventId}", delete_event, methods=["DELETE"]),
    Route("/calendar/v3/{rest:path}", unknown_method),
]
