"""Microsoft Graph's JSON, to and from the provider interface's plain data. Pure.

Graph's answers are parsed defensively: a field of the wrong type is an unreadable answer
(`ValueError`), never a crash deeper in meetbridge. Times are asked for in UTC
(`Prefer: outlook.timezone="UTC"`), so answers are read as UTC unless they name a zone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from meetbridge.integrations import pieces
from meetbridge.integrations.provider import Attendee, EventDraft, EventView, FreeBusy, Interval

# Documented: up to 20 people per getSchedule and a range under 62 days.
MAX_SCHEDULES = 20
MAX_SCHEDULE_SPAN = timedelta(days=60)
SCHEDULE_INTERVAL_MINUTES = 60
PREFER_UTC = 'outlook.timezone="UTC"'
# meetbridge's own property set; every single-value extended property it writes is in it.
PROPERTY_SET = "aaa2be4c-8b85-471a-948b-e6c51493d24d"
EVENT_ID_PROPERTY = "meetbridge_event"  # meetbridge's event id: what finds the event
MARKER_PROPERTY = "meetbridge_marker"  # the draft's marker, as a JSON object
# Statuses that leave the time free; `unknown` and anything new count as busy (never free).
FREE_STATUSES = frozenset({"free", "workingelsewhere"})
RESPONSES = {
    "none": "needsAction",
    "notresponded": "needsAction",
    "organizer": "accepted",
    "accepted": "accepted",
    "declined": "declined",
    "tentativelyaccepted": "tentative",
}
WINDOWS_ZONES = {"UTC": "UTC", "Coordinated Universal Time": "UTC", "GMT Standard Time": "Europe/London"}  # fmt: skip


def property_id(name: str) -> str:
    return f"String {{{PROPERTY_SET}}} Name {name}"


def property_name(value: Any) -> str | None:
    """The name of one of meetbridge's properties from its id; None for anyone else's."""
    if not isinstance(value, str):
        return None
    prefix = f"string {{{PROPERTY_SET}}} name "
    if not value.lower().startswith(prefix):
        return None
    return value[len(prefix) :].strip() or None


def odata_text(value: str) -> str:
    return value.replace("'", "''")


def find_filter(event_id: str) -> str:
    """`$filter` finding the event meetbridge made for `event_id`."""
    return (
        "singleValueExtendedProperties/Any(ep: ep/id eq "
        f"'{property_id(EVENT_ID_PROPERTY)}' and ep/value eq '{odata_text(event_id)}')"
    )


def expand() -> str:
    """`$expand` bringing back meetbridge's two properties with the event."""
    ids = " or ".join(f"id eq '{property_id(n)}'" for n in (EVENT_ID_PROPERTY, MARKER_PROPERTY))
    return f"singleValueExtendedProperties($filter={ids})"


def user_path(email: str) -> str:
    return "/users/" + quote(email.strip().lower(), safe="@")


# --- free/busy --------------------------------------------------------------------------------


def split_range(start: datetime, end: datetime, span: timedelta = MAX_SCHEDULE_SPAN):
    return pieces.split_range(start, end, span)


def batches(items: list[str], size: int = MAX_SCHEDULES) -> list[list[str]]:
    return pieces.batches(items, size)


normalise_emails = pieces.normalise_emails


def _when(moment: datetime, zone: str = "UTC") -> dict[str, str]:
    if moment.tzinfo is None:
        raise ValueError("times given to Microsoft must carry a time zone")
    local = moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    return {"dateTime": local.isoformat(timespec="seconds"), "timeZone": zone}


def schedule_request(emails: list[str], start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "schedules": emails,
        "startTime": _when(start),
        "endTime": _when(end),
        "availabilityViewInterval": SCHEDULE_INTERVAL_MINUTES,
    }


def parse_time(value: Any) -> datetime:
    """A `dateTimeTimeZone` as an aware datetime."""
    if not isinstance(value, Mapping) or not isinstance(value.get("dateTime"), str):
        raise ValueError("a time in Microsoft's answer is not a dateTimeTimeZone")
    text = value["dateTime"].strip()
    if len(text) > 40:
        raise ValueError("a time in Microsoft's answer is too long")
    zone_name = value.get("timeZone") or "UTC"
    if not isinstance(zone_name, str):
        raise ValueError("a time zone in Microsoft's answer is not text")
    try:
        zone = ZoneInfo(WINDOWS_ZONES.get(zone_name, zone_name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone in Microsoft's answer: {zone_name[:60]}") from exc
    # Graph writes seven fractional digits; Python reads at most six.
    head, _, fraction = text.rstrip("Z").partition(".")
    moment = datetime.fromisoformat(head + (f".{fraction[:6]}" if fraction else ""))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _schedule_error(entry: Mapping[str, Any]) -> str:
    error = entry.get("error")
    if isinstance(error, Mapping):
        code = error.get("responseCode")
        return str(code)[:40] if code else "error"
    return "error"


def read_schedule(body: Any, emails: list[str]) -> FreeBusy:
    """One getSchedule answer. A person with an `error`, or missing, goes to `unknown`."""
    if not isinstance(body, Mapping) or not isinstance(body.get("value"), list):
        raise ValueError("getSchedule answer has no value list")
    entries = {}
    for entry in body["value"]:
        if isinstance(entry, Mapping) and isinstance(entry.get("scheduleId"), str):
            entries[entry["scheduleId"].strip().lower()] = entry
    busy: dict[str, list[Interval]] = {}
    unknown: dict[str, str] = {}
    for email in emails:
        entry = entries.get(email)
        if entry is None:
            unknown[email] = "missing"
        elif entry.get("error"):
            unknown[email] = _schedule_error(entry)
        elif not isinstance(entry.get("scheduleItems"), list):
            unknown[email] = "no schedule"
        else:
            busy[email] = _busy_items(entry["scheduleItems"])
    return FreeBusy(busy=busy, unknown=unknown)


def _busy_items(items: list[Any]) -> list[Interval]:
    intervals = []
    for item in items:
        if not isinstance(item, Mapping):
            raise ValueError("a schedule item is not an object")
        status = str(item.get("status", "busy")).lower()  # Microsoft capitalises it at times
        if status in FREE_STATUSES:
            continue
        intervals.append(Interval(parse_time(item.get("start")), parse_time(item.get("end"))))
    return intervals


def calendar_view_request(start: datetime, end: datetime) -> dict[str, str]:
    """calendarView over [start, end): each occurrence on its own, only what busy time needs.
    A few hours never hold 1000 events, so one page is the whole answer."""
    return {
        "startDateTime": start.astimezone(UTC).isoformat(),
        "endDateTime": end.astimezone(UTC).isoformat(),
        "$select": "showAs,start,end,iCalUId,isCancelled",
        "$top": "1000",
    }


def read_calendar_view(body: Any, leave_out: str | None) -> list[Interval]:
    """The busy time of a calendarView answer, the event whose `iCalUId` is `leave_out` left
    out (every attendee's copy carries the organizer's iCalUId), by getSchedule's rules."""
    if not isinstance(body, Mapping) or not isinstance(body.get("value"), list):
        raise ValueError("calendarView answer has no value list")
    busy = []
    for item in body["value"]:
        if not isinstance(item, Mapping):
            raise ValueError("an event is not an object")
        if (leave_out and item.get("iCalUId") == leave_out) or item.get("isCancelled") is True:
            continue
        if str(item.get("showAs", "busy")).lower() in FREE_STATUSES:
            continue
        busy.append(Interval(parse_time(item.get("start")), parse_time(item.get("end"))))
    return busy


# --- events -----------------------------------------------------------------------------------


def event_body(draft: EventDraft) -> dict[str, Any]:
    """The event to create: `transactionId` and our property make it findable and unique."""
    if not draft.event_id:
        raise ValueError("an event needs meetbridge's id")
    organizer = draft.organizer_email.strip().lower()
    properties = [
        {"id": property_id(EVENT_ID_PROPERTY), "value": draft.event_id},
        {
            "id": property_id(MARKER_PROPERTY),
            "value": json.dumps(dict(draft.marker), sort_keys=True),
        },
    ]
    body: dict[str, Any] = {
        "subject": draft.title,
        "body": {"contentType": "text", "content": draft.description or ""},
        "start": _when(draft.start, draft.time_zone),
        "end": _when(draft.end, draft.time_zone),
        "attendees": [
            {"emailAddress": {"address": email}, "type": "required"}
            for email in normalise_emails(draft.attendee_emails)
            if email != organizer
        ],
        "transactionId": draft.event_id,
        "singleValueExtendedProperties": properties,
        "allowNewTimeProposals": False,
    }
    if draft.video:
        body["isOnlineMeeting"] = True
        body["onlineMeetingProvider"] = "teamsForBusiness"
    return body


def move_body(start: datetime, end: datetime, time_zone: str) -> dict[str, Any]:
    return {"start": _when(start, time_zone), "end": _when(end, time_zone)}


def _text(value: Any, limit: int = 1024) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _address(value: Any) -> str:
    if isinstance(value, Mapping) and isinstance(value.get("emailAddress"), Mapping):
        return _text(value["emailAddress"].get("address"), 254).strip().lower()
    return ""


def properties(body: Mapping[str, Any]) -> dict[str, str]:
    """meetbridge's own single-value extended properties on an event, by name."""
    found = {}
    for item in body.get("singleValueExtendedProperties") or []:
        if isinstance(item, Mapping):
            name = property_name(item.get("id"))
            if name is not None and isinstance(item.get("value"), str):
                found[name] = item["value"]
    return found


def marker_of(body: Mapping[str, Any]) -> dict[str, str] | None:
    """The marker meetbridge wrote on the event; None when the answer does not carry it."""
    raw = properties(body).get(MARKER_PROPERTY)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def video_link(body: Mapping[str, Any]) -> str | None:
    meeting = body.get("onlineMeeting")
    if isinstance(meeting, Mapping) and isinstance(meeting.get("joinUrl"), str):
        return meeting["joinUrl"] or None
    return None


def graph_id(body: Any) -> str:
    if not isinstance(body, Mapping) or not isinstance(body.get("id"), str) or not body["id"]:
        raise ValueError("event answer has no id")
    return body["id"]


def event_view(body: Any, event_id: str, marker: Mapping[str, str] | None = None) -> EventView:
    """The safe fields of a Graph event, under meetbridge's id for it (Graph's stays inside).

    `marker` stands in when the answer does not carry the properties (Graph returns them only
    when asked with `$expand`, which create and update answers do not take)."""
    graph_id(body)
    organizer = _address(body.get("organizer"))
    attendees = [Attendee(organizer, "accepted")] if organizer else []
    for item in body.get("attendees") or []:
        if not isinstance(item, Mapping):
            continue
        email = _address(item)
        status = item.get("status") if isinstance(item.get("status"), Mapping) else {}
        answer = RESPONSES.get(str(status.get("response", "none")).lower(), "needsAction")
        if email and email != organizer:
            attendees.append(Attendee(email, answer))
    found = marker_of(body)
    return EventView(
        event_id=event_id,
        status="cancelled" if body.get("isCancelled") is True else "confirmed",
        title=_text(body.get("subject")),
        start=parse_time(body.get("start")),
        end=parse_time(body.get("end")),
        organizer_email=organizer,
        attendees=tuple(attendees),
        html_link=_text(body.get("webLink"), 2048) or None,
        video_link=video_link(body),
        marker=found if found is not None else dict(marker or {}),
    )
