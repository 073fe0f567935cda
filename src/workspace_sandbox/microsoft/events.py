"""Outlook calendar items as Graph shows them: create (with `transactionId`), patch, cancel,
delete, attendee answers, single-value extended properties, and free/busy for getSchedule.

Times are stored in UTC; each answer is written in the zone the caller prefers.
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid
from datetime import datetime, timedelta
from urllib.parse import quote

from . import errors, times
from .state import Directory, Event, Mailbox

MAX_ATTENDEES = 500
MAX_SCHEDULES = 100
MAX_SCHEDULE_RANGE = timedelta(days=62)
RESPONSES = frozenset({"none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded"})  # fmt: skip
SHOW_AS = ("free", "workingElsewhere", "tentative", "busy", "oof")
VIEW_DIGITS = {"free": "0", "tentative": "1", "busy": "2", "oof": "3", "workingElsewhere": "4"}
_PROPERTY_ID = re.compile(
    r"^\s*(String)\s+\{([0-9a-fA-F-]{36})\}\s+Name\s+(\S.*?)\s*$", re.IGNORECASE
)


def new_event_id() -> str:
    raw = b"\x00\x00\x00\x00" + secrets.token_bytes(66)
    return "AAMkA" + base64.urlsafe_b64encode(raw).decode()[5:]


def property_key(property_id: str) -> tuple[str, str, str]:
    """("string", guid, Name): the type and GUID match in any case, the name exactly."""
    match = _PROPERTY_ID.match(property_id or "")
    if match is None:
        raise errors.bad_request(
            f"The extended property id '{str(property_id)[:120]}' is not valid.",
            "ErrorInvalidExtendedPropertyValue",
        )
    kind, guid, name = match.groups()
    return kind.lower(), guid.lower(), name


def _address(entry: object) -> str:
    if not isinstance(entry, dict) or not isinstance(entry.get("emailAddress"), dict):
        raise errors.bad_request("Each attendee needs an emailAddress.")
    address = entry["emailAddress"].get("address")
    if not isinstance(address, str) or "@" not in address:
        raise errors.bad_request("Each attendee needs an emailAddress with an address.")
    return address.strip().lower()


def _attendees(value: object, organizer: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ATTENDEES:
        raise errors.bad_request(f"attendees must be a list of at most {MAX_ATTENDEES}.")
    result, seen = [], set()
    for entry in value:
        address = _address(entry)
        if address in seen or address == organizer:
            continue
        seen.add(address)
        kind = entry.get("type") or "required"
        if kind not in ("required", "optional", "resource"):
            raise errors.bad_request(f"Attendee type '{str(kind)[:40]}' is not valid.")
        result.append(
            {
                "type": kind,
                "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {
                    "name": entry["emailAddress"].get("name") or address,
                    "address": address,
                },
            }
        )
    return result


def _properties(value: object) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise errors.bad_request("singleValueExtendedProperties must be a list.")
    result = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise errors.bad_request("Each extended property needs an id and a string value.")
        property_key(item.get("id"))
        result.append({"id": item["id"], "value": item["value"]})
    return result


def _times(body: dict) -> tuple[datetime, str, datetime, str]:
    try:
        start, start_zone = times.read(body.get("start"))
        end, end_zone = times.read(body.get("end"))
    except ValueError as exc:
        raise errors.bad_request(
            f"start and end must be dateTimeTimeZone values ({exc}).",
            "ErrorInvalidRequest",
        ) from exc
    if end < start:
        raise errors.bad_request(
            "The end of the event must not be before its start.", "ErrorInvalidRequest"
        )
    return start, start_zone, end, end_zone


def _online_meeting(mailbox: Mailbox, event_id: str) -> dict:
    """What Graph does with `isOnlineMeeting`: a Teams meeting, or quietly a plain one."""
    if not mailbox.teams:
        return {"isOnlineMeeting": False, "onlineMeetingProvider": "unknown", "onlineMeeting": None}
    thread = secrets.token_urlsafe(24).replace("-", "a").replace("_", "b")
    join = (
        f"https://teams.microsoft.com/l/meetup-join/19%3ameeting_{thread}%40thread.v2/0"
        f"?context=%7b%22Tid%22%3a%22{uuid.uuid4()}%22%7d"
    )
    return {
        "isOnlineMeeting": True,
        "onlineMeetingProvider": "teamsForBusiness",
        "onlineMeeting": {"joinUrl": join, "conferenceId": str(secrets.randbelow(10**9))},
    }


def create(directory: Directory, mailbox: Mailbox, body: dict, now: datetime) -> tuple[Event, bool]:
    """(event, created): an earlier event of the same `transactionId` comes back unchanged."""
    transaction = body.get("transactionId")
    if transaction is not None and not isinstance(transaction, str):
        raise errors.bad_request("transactionId must be a string.")
    if transaction:
        existing = directory.transactions.get((mailbox.email, transaction))
        if existing in directory.events:
            return directory.events[existing], False
    start, start_zone, end, end_zone = _times(body)
    subject = body.get("subject") or ""
    if not isinstance(subject, str):
        raise errors.bad_request("subject must be a string.")
    content = body.get("body") if isinstance(body.get("body"), dict) else {}
    event_id = new_event_id()
    stored = {
        "id": event_id,
        "createdDateTime": times.stamp(now),
        "lastModifiedDateTime": times.stamp(now),
        "changeKey": secrets.token_urlsafe(18),
        "categories": [],
        "transactionId": transaction or None,
        "originalStartTimeZone": start_zone,
        "originalEndTimeZone": end_zone,
        "iCalUId": "040000008200E00074C5B7101A82E008" + secrets.token_hex(28).upper(),
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": True,
        "hasAttachments": False,
        "subject": subject[:255],
        "bodyPreview": str(content.get("content", ""))[:255],
        "importance": "normal",
        "sensitivity": body.get("sensitivity") or "normal",
        "isAllDay": False,
        "isCancelled": False,
        "isOrganizer": True,
        "responseRequested": True,
        "seriesMasterId": None,
        "showAs": body.get("showAs") if body.get("showAs") in SHOW_AS else "busy",
        "type": "singleInstance",
        "webLink": "https://outlook.office365.com/owa/?itemid="
        + quote(event_id, safe="")
        + "&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None,
        "allowNewTimeProposals": True,
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "body": {
            "contentType": content.get("contentType", "text"),
            "content": str(content.get("content", "")),
        },
        "start": times.write(start),
        "end": times.write(end),
        "location": body.get("location") if isinstance(body.get("location"), dict) else {},
        "attendees": _attendees(body.get("attendees"), mailbox.email),
        "organizer": {"emailAddress": {"name": mailbox.email, "address": mailbox.email}},
        "singleValueExtendedProperties": _properties(body.get("singleValueExtendedProperties")),
        "isOnlineMeeting": False,
        "onlineMeetingProvider": "unknown",
        "onlineMeeting": None,
    }
    if body.get("isOnlineMeeting") is True:
        stored.update(_online_meeting(mailbox, event_id))
    event = Event(id=event_id, organizer=mailbox.email, body=stored, transaction_id=transaction)
    directory.events[event_id] = event
    if transaction:
        directory.transactions[(mailbox.email, transaction)] = event_id
    return event, True


def visible(event: Event, email: str) -> bool:
    """Whether the mailbox holds the event: organised there (not cancelled) or an invitation."""
    if event.organizer == email:
        return not event.cancelled  # a cancelled organizer's item went to Deleted Items
    attendee = _attendee(event, email)
    return attendee is not None and not attendee.get("removed")


def find(directory: Directory, mailbox: Mailbox, event_id: str) -> Event:
    event = directory.events.get(event_id)
    if event is None or not visible(event, mailbox.email):
        raise errors.item_not_found()
    return event


def _attendee(event: Event, email: str) -> dict | None:
    return next((a for a in event.body["attendees"] if a["emailAddress"]["address"] == email), None)


def _touch(event: Event, now: datetime) -> None:
    event.body["lastModifiedDateTime"] = times.stamp(now)
    event.body["changeKey"] = secrets.token_urlsafe(18)


def patch(event: Event, mailbox: Mailbox, body: dict, if_match: str | None, now: datetime):
    if event.organizer != mailbox.email:
        raise errors.access_denied()
    if if_match and if_match.strip() not in ("*", etag(event)):
        raise errors.GraphError(
            412, "ErrorIrresolvableConflict", "The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item."
        )  # fmt: skip
    if "transactionId" in body and body["transactionId"] != event.transaction_id:
        raise errors.bad_request("transactionId cannot be changed.")
    if "start" in body or "end" in body:
        merged = {"start": body.get("start", event.body["start"]), "end": body.get("end", event.body["end"])}  # fmt: skip
        start, start_zone, end, end_zone = _times(merged)
        event.body["start"], event.body["end"] = times.write(start), times.write(end)
        if "start" in body:
            event.body["originalStartTimeZone"] = start_zone
        if "end" in body:
            event.body["originalEndTimeZone"] = end_zone
        for attendee in event.body["attendees"]:  # a new time asks everyone again
            attendee["status"] = {"response": "none", "time": "0001-01-01T00:00:00Z"}
    if "subject" in body:
        if not isinstance(body["subject"], str):
            raise errors.bad_request("subject must be a string.")
        event.body["subject"] = body["subject"][:255]
    if isinstance(body.get("body"), dict):
        event.body["body"] = {
            "contentType": body["body"].get("contentType", "text"),
            "content": str(body["body"].get("content", "")),
        }
    if "attendees" in body:
        previous = {a["emailAddress"]["address"]: a for a in event.body["attendees"]}
        fresh = _attendees(body["attendees"], event.organizer)
        event.body["attendees"] = [previous.get(a["emailAddress"]["address"], a) for a in fresh]
    if "showAs" in body and body["showAs"] in SHOW_AS:
        event.body["showAs"] = body["showAs"]
    if "singleValueExtendedProperties" in body:
        current = {property_key(p["id"]): p for p in event.body["singleValueExtendedProperties"]}
        for item in _properties(body["singleValueExtendedProperties"]):
            current[property_key(item["id"])] = item
        event.body["singleValueExtendedProperties"] = list(current.values())
    _touch(event, now)


def cancel(event: Event, mailbox: Mailbox, now: datetime) -> None:
    if event.organizer != mailbox.email:
        raise errors.bad_request(errors.NOT_ORGANIZER)
    event.body["isCancelled"] = True
    if not event.body["subject"].startswith("Canceled: "):
        event.body["subject"] = "Canceled: " + event.body["subject"]
    _touch(event, now)


def delete(directory: Directory, event: Event, mailbox: Mailbox, now: datetime) -> None:
    if event.organizer == mailbox.email:
        cancel(event, mailbox, now)  # attendees get the cancellation
        return
    attendee = _attendee(event, mailbox.email)
    if attendee is not None:
        attendee["removed"] = True


def respond(event: Event, mailbox: Mailbox, answer: str, now: datetime) -> None:
    if answer not in ("accepted", "declined", "tentativelyAccepted"):
        raise errors.bad_request(
            "response must be accepted, declined or tentativelyAccepted.", "ErrorInvalidRequest"
        )
    if event.organizer == mailbox.email:
        raise errors.bad_request(
            "Your request can't be completed. You can't respond to a meeting you organized."
        )
    attendee = _attendee(event, mailbox.email)
    if attendee is None:
        raise errors.item_not_found()
    attendee["status"] = {"response": answer, "time": times.stamp(now)}
    _touch(event, now)


def etag(event: Event) -> str:
    return f'W/"{event.body["changeKey"]}"'


def view(
    event: Event,
    viewer: str,
    zone_name: str = "UTC",
    expand: list[tuple[str, str, str]] | None = None,
) -> dict:
    """The event as `viewer` sees it, times in `zone_name`, with the asked-for properties."""
    body = {k: v for k, v in event.body.items() if k != "singleValueExtendedProperties"}
    body["attendees"] = [
        {k: v for k, v in a.items() if k != "removed"} for a in event.body["attendees"]
    ]
    if body.get("transactionId") is None:
        body.pop("transactionId", None)
    for name in ("start", "end"):
        moment, _ = times.read(event.body[name])
        body[name] = times.write(moment, zone_name)
    if viewer != event.organizer:
        attendee = _attendee(event, viewer) or {}
        body["isOrganizer"] = False
        body["responseStatus"] = attendee.get("status", {"response": "none"})
        body.pop("transactionId", None)
    body["@odata.etag"] = etag(event)
    if expand is not None and viewer == event.organizer:
        wanted = set(expand)
        props = [
            p
            for p in event.body["singleValueExtendedProperties"]
            if not wanted or property_key(p["id"]) in wanted
        ]
        if props:
            body["singleValueExtendedProperties"] = props
    return body


def has_property(event: Event, key: tuple[str, str, str], value: str) -> bool:
    return any(
        property_key(p["id"]) == key and p["value"].lower() == value.lower()
        for p in event.body["singleValueExtendedProperties"]
    )


# --- free/busy ----------------------------------------------------------------------------------


def show_as(event: Event, email: str) -> str | None:
    """How the event fills `email`'s time; None when it does not (declined, removed)."""
    if event.cancelled:
        return None
    if event.organizer == email:
        return event.body.get("showAs", "busy")
    attendee = _attendee(event, email)
    if attendee is None or attendee.get("removed"):
        return None
    response = attendee["status"]["response"]
    if response == "declined":
        return None
    if response == "tentativelyAccepted":
        return "tentative"
    if response == "accepted":
        return event.body.get("showAs", "busy")
    # Not answered yet: Exchange puts new requests on the calendar as tentative
    # (Set-CalendarProcessing -AddNewRequestsTentatively, on by default).
    return "tentative"


def schedule_items(
    directory: Directory, email: str, start: datetime, end: datetime
) -> list[tuple[datetime, datetime, str, Event]]:
    items = []
    for event in directory.events_of(email):
        status = show_as(event, email)
        if status is None:
            continue
        item_start, _ = times.read(event.body["start"])
        item_end, _ = times.read(event.body["end"])
        if item_start < end and item_end > start:
            items.append((item_start, item_end, status, event))
    items.sort(key=lambda item: item[0])
    return items


def availability_view(items, start: datetime, end: datetime, interval: int) -> str:
    rank = {status: n for n, status in enumerate(SHOW_AS)}
    digits = []
    cursor = start
    step = timedelta(minutes=interval)
    while cursor < end:
        slot_end = min(end, cursor + step)
        overlapping = [s for (a, b, s, _) in items if a < slot_end and b > cursor]
        strongest = max(overlapping, key=lambda s: rank.get(s, 0), default="free")
        digits.append(VIEW_DIGITS.get(strongest, "0"))
        cursor = slot_end
    return "".join(digits)
