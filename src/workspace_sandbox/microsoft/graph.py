"""Microsoft Graph v1.0's calendar routes, behind the checks Graph makes before any of them: the
access token, the application permissions (`roles`) it carries, the mailbox, the application
access policy, and Outlook's throttling (requests per app and mailbox, four at a time)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import errors, events, times
from .errors import GraphError
from .state import READ_ROLES, WRITE_ROLES, Directory, GraphToken, Mailbox, Tenant

GRAPH = "/microsoft/graph/v1.0"
CONTEXT = "https://graph.microsoft.com/v1.0/$metadata"
_ANY_PROPERTY = re.compile(
    r"^\s*singleValueExtendedProperties/any\(\s*(\w+)\s*:\s*\1/id\s+eq\s+'((?:[^']|'')*)'"
    r"\s+and\s+\1/value\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$",
    re.IGNORECASE,
)
_EXPAND = re.compile(r"^\s*singleValueExtendedProperties(?:\(\s*\$filter=(.*)\))?\s*$", re.I)
_ID_EQ = re.compile(r"id\s+eq\s+'((?:[^']|'')*)'", re.IGNORECASE)


def directory(request: Request) -> Directory:
    return request.app.state.world.microsoft


def _authorise(d: Directory, request: Request) -> tuple[GraphToken, Tenant]:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or not header[7:].strip():
        raise errors.unauthenticated("Access token is empty.")
    token = d.tokens.get(header[7:].strip())
    if token is None:
        raise errors.unauthenticated("Access token validation failure. Invalid audience.")
    if token.expires_at <= d.clock.now():
        raise errors.unauthenticated("Lifetime validation failed, the token is expired.")
    return token, d.tenants[token.tenant_id]


def _mailbox(d: Directory, tenant: Tenant, key: str) -> Mailbox:
    mailbox = d.mailbox(tenant, key)
    if mailbox is None:
        raise errors.invalid_user(key)
    if not mailbox.licensed:
        raise errors.mailbox_not_enabled()
    return mailbox


def _in_policy(d: Directory, tenant: Tenant, token: GraphToken, email: str) -> bool:
    allowed = tenant.allowed_for(token.client_id, d.clock.now())
    return allowed is None or email in allowed


Handler = Callable[[Request, Directory, GraphToken, Tenant, Mailbox], Response]


def graph(roles: frozenset[str]):
    """The checks in front of a Graph handler, then the handler counted as one in flight."""

    def wrap(handler: Handler):
        async def endpoint(request: Request) -> Response:
            d = directory(request)
            try:
                token, tenant = _authorise(d, request)
                if not token.roles & roles:
                    raise errors.access_denied()
                mailbox = _mailbox(d, tenant, request.path_params["user"])
                if not _in_policy(d, tenant, token, mailbox.email):
                    raise errors.outside_policy()
                key = (token.client_id, mailbox.email)
                wait = d.within_rate(key)
                if wait:
                    raise errors.throttled(
                        math.ceil(wait), "Application is over its MailboxRequests limit."
                    )
                if d.in_flight[key] >= d.concurrent_requests:
                    raise errors.throttled(1)
                d.in_flight[key] += 1
                try:
                    if d.hold is not None:
                        await d.hold.wait()
                    return handler(request, d, token, tenant, mailbox, await _json(request))
                finally:
                    d.in_flight[key] -= 1
            except GraphError as error:
                return JSONResponse(
                    error.body(request.headers.get("client-request-id", "")),
                    status_code=error.status,
                    headers=error.headers,
                )

        return endpoint

    return wrap


async def _json(request: Request) -> dict:
    if request.method in ("GET", "DELETE"):
        return {}
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise errors.bad_request(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and "
            "payload is of valid JSON format.",
            "BadRequest",
        ) from exc
    if not isinstance(body, dict):
        raise errors.bad_request("The request body must be a JSON object.", "BadRequest")
    return body


def _zone(request: Request) -> str:
    return times.preferred_zone(request.headers.get("prefer"))


def _answer(request: Request, body: dict, status: int = 200) -> JSONResponse:
    headers = {}
    zone = _zone(request)
    if request.headers.get("prefer"):
        headers["Preference-Applied"] = f'outlook.timezone="{zone}"'
    return JSONResponse(body, status_code=status, headers=headers)


def _unquote(value: str) -> str:
    return value.replace("''", "'")


def _expand(request: Request) -> list[tuple[str, str, str]] | None:
    raw = request.query_params.get("$expand")
    if raw is None:
        return None
    match = _EXPAND.match(raw)
    if match is None:
        raise errors.bad_request(
            f"Parsing OData Select and Expand failed: {raw[:120]}", "BadRequest"
        )
    return [events.property_key(_unquote(i)) for i in _ID_EQ.findall(match.group(1) or "")]


def _event_json(request, d, event, mailbox, extra=None) -> dict:
    body = events.view(event, mailbox.email, _zone(request), _expand(request))
    context = f"{CONTEXT}#users('{mailbox.email}')/events/$entity"
    return {"@odata.context": context, **body, **(extra or {})}


# --- routes -----------------------------------------------------------------------------------


@graph(READ_ROLES)
def get_schedule(request, d, token, tenant, mailbox, body):
    schedules = body.get("schedules")
    if not isinstance(schedules, list) or not all(isinstance(s, str) for s in schedules):
        raise errors.bad_request("schedules must be a list of SMTP addresses.")
    if len(schedules) > events.MAX_SCHEDULES:
        raise GraphError(
            400,
            "ErrorMailboxDataArrayTooBig",
            errors.TOO_MANY_SCHEDULES.format(size=len(schedules)),
        )
    try:
        start, _ = times.read(body.get("startTime"))
        end, _ = times.read(body.get("endTime"))
    except ValueError as exc:
        raise errors.bad_request(f"startTime and endTime are required ({exc}).") from exc
    interval = body.get("availabilityViewInterval", 30)
    if not isinstance(interval, int) or not 5 <= interval <= 1440:
        raise errors.bad_request(
            "availabilityViewInterval must be between 5 and 1440.", "ErrorInvalidParameter"
        )
    if end <= start or end - start >= events.MAX_SCHEDULE_RANGE:
        raise errors.bad_request(
            "The time range must be positive and less than 62 days.", "ErrorInvalidTimeInterval"
        )
    zone = _zone(request)
    value = [_schedule(d, tenant, token, email, start, end, interval, zone) for email in schedules]
    context = f"{CONTEXT}#Collection(microsoft.graph.scheduleInformation)"
    return _answer(request, {"@odata.context": context, "value": value})


def _schedule(d, tenant, token, email, start, end, interval, zone) -> dict:
    address = email.strip().lower()
    target = d.mailbox(tenant, address)
    if target is None:
        return {
            "scheduleId": email,
            "error": {"message": errors.UNRESOLVABLE.format(email=email), "responseCode": "5009"},
        }
    if not target.licensed:
        return {
            "scheduleId": email,
            "error": {"message": errors.MAILBOX_NOT_ENABLED, "responseCode": "5006"},
        }
    if not _in_policy(d, tenant, token, address):
        return {
            "scheduleId": email,
            "error": {"message": errors.ODATA_DISABLED, "responseCode": "ErrorAccessDenied"},
        }
    items = events.schedule_items(d, address, start, end)
    return {
        "scheduleId": email,
        "availabilityView": events.availability_view(items, start, end, interval),
        "scheduleItems": [
            {
                "isPrivate": event.body.get("sensitivity") == "private",
                "status": status,
                "subject": event.body.get("subject", ""),
                "location": (event.body.get("location") or {}).get("displayName", ""),
                "start": times.write(a, zone),
                "end": times.write(b, zone),
            }
            for a, b, status, event in items
        ],
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {"name": target.time_zone},
        },
    }


@graph(WRITE_ROLES)
def create_event(request, d, token, tenant, mailbox, body):
    event, _ = events.create(d, mailbox, body, d.moment())
    # A repeated transactionId answers 201 with the first event, as Exchange does.
    return _answer(request, _event_json(request, d, event, mailbox), 201)


@graph(READ_ROLES)
def list_events(request, d, token, tenant, mailbox, body):
    found = [e for e in d.events_of(mailbox.email) if events.visible(e, mailbox.email)]
    raw_filter = request.query_params.get("$filter")
    if raw_filter:
        match = _ANY_PROPERTY.match(raw_filter)
        if match is None:
            raise errors.bad_request(f"Invalid filter clause: {raw_filter[:120]}", "BadRequest")
        key = events.property_key(_unquote(match.group(2)))
        wanted = _unquote(match.group(3))
        found = [
            e for e in found if e.organizer == mailbox.email and events.has_property(e, key, wanted)
        ]
    try:
        top = int(request.query_params.get("$top", "10"))
    except ValueError:
        top = 10
    found.sort(key=lambda e: e.body["createdDateTime"])
    value = [
        events.view(e, mailbox.email, _zone(request), _expand(request))
        for e in found[: max(1, min(top, 1000))]
    ]
    return _answer(request, {"@odata.context": f"{CONTEXT}#users('{mailbox.email}')/events", "value": value})  # fmt: skip


@graph(READ_ROLES)
def calendar_view(request, d, token, tenant, mailbox, body):
    """The mailbox's events between startDateTime and endDateTime (ISO 8601), each with the
    mailbox's own `showAs` (an invitation not yet answered shows as tentative)."""
    moments = []
    for name in ("startDateTime", "endDateTime"):
        raw = request.query_params.get(name, "")
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise errors.bad_request(
                f"This request requires a time window specified by the query string parameters "
                f"StartDateTime and EndDateTime ({name}).",
                "ErrorInvalidParameter",
            ) from None
        moments.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    zone = _zone(request)
    value = [
        {**events.view(event, mailbox.email, zone), "showAs": status}
        for _, _, status, event in events.schedule_items(d, mailbox.email, *moments)
    ]
    context = f"{CONTEXT}#users('{mailbox.email}')/calendarView"
    return _answer(request, {"@odata.context": context, "value": value})


@graph(READ_ROLES)
def get_event(request, d, token, tenant, mailbox, body):
    event = events.find(d, mailbox, request.path_params["event_id"])
    return _answer(request, _event_json(request, d, event, mailbox))


@graph(WRITE_ROLES)
def patch_event(request, d, token, tenant, mailbox, body):
    event = events.find(d, mailbox, request.path_params["event_id"])
    events.patch(event, mailbox, body, request.headers.get("if-match"), d.moment())
    return _answer(request, _event_json(request, d, event, mailbox))


@graph(WRITE_ROLES)
def delete_event(request, d, token, tenant, mailbox, body):
    event = events.find(d, mailbox, request.path_params["event_id"])
    events.delete(d, event, mailbox, d.moment())
    return Response(status_code=204)


@graph(WRITE_ROLES)
def cancel_event(request, d, token, tenant, mailbox, body):
    event = events.find(d, mailbox, request.path_params["event_id"])
    events.cancel(event, mailbox, d.moment())
    return Response(status_code=202)


def _responder(answer: str):
    @graph(WRITE_ROLES)
    def respond(request, d, token, tenant, mailbox, body):
        event = events.find(d, mailbox, request.path_params["event_id"])
        events.respond(event, mailbox, answer, d.moment())
        return Response(status_code=202)

    return respond


U = f"{GRAPH}/users/{{user}}"
routes = [
    Route(f"{U}/calendar/getSchedule", get_schedule, methods=["POST"]),
    Route(f"{U}/events", create_event, methods=["POST"]),
    Route(f"{U}/calendar/events", create_event, methods=["POST"]),
    Route(f"{U}/events", list_events, methods=["GET"]),
    Route(f"{U}/calendar/events", list_events, methods=["GET"]),
    Route(f"{U}/calendarView", calendar_view, methods=["GET"]),
    Route(f"{U}/calendar/calendarView", calendar_view, methods=["GET"]),
    Route(f"{U}/events/{{event_id}}", get_event, methods=["GET"]),
    Route(f"{U}/events/{{event_id}}", patch_event, methods=["PATCH"]),
    Route(f"{U}/events/{{event_id}}", delete_event, methods=["DELETE"]),
    Route(f"{U}/events/{{event_id}}/cancel", cancel_event, methods=["POST"]),
    Route(f"{U}/events/{{event_id}}/accept", _responder("accepted"), methods=["POST"]),
    Route(f"{U}/events/{{event_id}}/decline", _responder("declined"), methods=["POST"]),
    Route(
        f"{U}/events/{{event_id}}/tentativelyAccept",
        _responder("tentativelyAccepted"),
        methods=["POST"],
    ),
]
