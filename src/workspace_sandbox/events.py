"""Events on calendars: the model behind Calendar v3 `events.*`.

An event lives once (a StoredEvent) and is linked from the organizer's calendar and from the
calendar of every attendee who is a user of a sandbox Workspace, under the same id — so an
attendee's free/busy shows the meeting and an attendee's answer reaches the organizer's copy.
"""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from . import google_errors as errors
from . import recurrence
from .busy import occurrences
from .ids import is_valid_event_id, new_etag, new_event_id, new_meet_code
from .state import StoredEvent, World
from .timeutil import event_time, format_stamp, format_utc

WRITABLE_FIELDS = (
    "summary", "description", "location", "start", "end", "attendees", "extendedProperties",
    "transparency", "visibility", "recurrence", "status", "colorId", "reminders", "source",
    "guestsCanModify", "guestsCanInviteOthers", "guestsCanSeeOtherGuests", "anyoneCanAddSelf",
    "endTimeUnspecified", "attendeesOmitted",
)  # fmt: skip
RESPONSES = ("needsAction", "declined", "tentative", "accepted")
MEET_ICON = "https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png"
FAR_PAST = datetime(1970, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(2200, 1, 1, tzinfo=UTC)


# --- reading -------------------------------------------------------------------------------


def view(stored: StoredEvent, viewer: str) -> dict:
    """The event as it appears on `viewer`'s calendar (`self` flags, the viewer's link)."""
    event = copy.deepcopy(stored.body)
    organizer = stored.organizer
    event["htmlLink"] = "https://www.google.com/calendar/event?eid=" + base64.urlsafe_b64encode(
        f"{event['id']} {viewer}".encode()
    ).decode().rstrip("=")
    for role in ("creator", "organizer"):
        event[role] = {"email": organizer} | ({"self": True} if viewer == organizer else {})
    for attendee in event.get("attendees", []):
        if attendee["email"] == organizer:
            attendee["organizer"] = True
        if attendee["email"] == viewer:
            attendee["self"] = True
    return event


def find(world: World, calendar: str, event_id: str) -> StoredEvent:
    stored = world.calendars[calendar].get(event_id)
    if stored is None:
        raise errors.not_found()
    return stored


def get(world: World, calendar: str, event_id: str) -> dict:
    """Deleted events stay readable, with status `cancelled`, as at Google."""
    return view(find(world, calendar, event_id), calendar)


def list_events(world: World, calendar: str, query: dict) -> list[dict]:
    """Events of a calendar filtered like `events.list` (query values already parsed)."""
    zone = world.calendar_zone(calendar)
    window = (query.get("timeMin") or FAR_PAST, query.get("timeMax") or FAR_FUTURE)
    found = []
    for stored in world.calendars[calendar].values():
        event = view(stored, calendar)
        if event.get("status") == "cancelled" and not query.get("showDeleted"):
            continue
        if not _matches(event, query):
            continue
        if query.get("singleEvents") and event.get("recurrence"):
            found.extend(_instances(event, zone, window))
        elif any(True for _ in occurrences(event, zone, window)):
            found.append(event)
    key = (lambda e: e["updated"]) if query.get("orderBy") == "updated" else _start_key(zone)
    return sorted(found, key=key)


def _matches(event: dict, query: dict) -> bool:
    props = event.get("extendedProperties", {})
    for kind in ("private", "shared"):
        for wanted in query.get(f"{kind}ExtendedProperty", []):
            name, _, value = wanted.partition("=")
            if props.get(kind, {}).get(name) != value:
                return False
    if query.get("iCalUID") and event.get("iCalUID") != query["iCalUID"]:
        return False
    text = (query.get("q") or "").lower()
    searchable = " ".join(str(event.get(f, "")) for f in ("summary", "description", "location"))
    return not text or text in searchable.lower()


def _start_key(zone: ZoneInfo):
    def key(event: dict):
        return (event_time(event["start"], zone)[0].astimezone(UTC), event["id"])

    return key


def _instances(event: dict, zone: ZoneInfo, window: tuple[datetime, datetime]) -> list[dict]:
    """A recurring event's single instances, ids `EVENTID_YYYYMMDDTHHMMSSZ` like Google's."""
    all_day = "date" in event["start"]
    first = event_time(event["start"], zone)[0]
    # An endless series asked for without an end: two years of instances, not forever.
    window = (window[0], min(window[1], max(window[0], first) + timedelta(days=2 * 366)))
    result = []
    for start, end in occurrences(event, zone, window):
        instance = {k: v for k, v in event.items() if k != "recurrence"}
        suffix = (
            start.strftime("%Y%m%d")
            if all_day
            else start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        )
        instance["id"] = f"{event['id']}_{suffix}"
        instance["recurringEventId"] = event["id"]
        instance["start"] = _time_like(event["start"], start)
        instance["end"] = _time_like(event["end"], end)
        instance["originalStartTime"] = instance["start"]
        result.append(instance)
    return result


def _time_like(template: dict, moment: datetime) -> dict:
    if "date" in template:
        return {"date": moment.date().isoformat()}
    return {"dateTime": moment.isoformat()} | (
        {"timeZone": template["timeZone"]} if template.get("timeZone") else {}
    )


# --- writing -------------------------------------------------------------------------------


def insert(world: World, calendar: str, body: dict, *, conference: bool, now: datetime) -> dict:
    if not isinstance(body, dict):
        raise errors.parse_error()
    event_id = body.get("id")
    if event_id is None:
        event_id = new_event_id()
    elif not is_valid_event_id(event_id):
        raise errors.invalid_id()
    elif event_id in world.calendars[calendar]:
        raise errors.duplicate()
    fields = _writable(body)
    _validate(fields, world.calendar_zone(calendar))
    stamp = format_stamp(now)
    event = {
        "kind": "calendar#event",
        "etag": new_etag(),
        "id": event_id,
        "status": "confirmed",
        "created": stamp,
        "updated": stamp,
        "iCalUID": f"{event_id}@google.com",
        "sequence": 0,
        "reminders": {"useDefault": True},
        "eventType": "default",
    } | fields
    event["attendees"] = _attendees(fields.get("attendees"), calendar)
    if not event["attendees"]:
        del event["attendees"]
    if conference:
        _add_conference(event, body.get("conferenceData"))
    stored = StoredEvent(organizer=calendar, body=event)
    world.calendars[calendar][event_id] = stored
    _link_attendees(world, stored)
    return view(stored, calendar)


def patch(
    world: World, calendar: str, event_id: str, body: dict, *, conference: bool, now: datetime
) -> dict:
    """PATCH merges nested objects into the stored event; PUT (`update`) replaces it."""
    return _edit(world, calendar, event_id, body, conference=conference, now=now, merge=True)


def update(
    world: World, calendar: str, event_id: str, body: dict, *, conference: bool, now: datetime
) -> dict:
    return _edit(world, calendar, event_id, body, conference=conference, now=now, merge=False)


def _edit(
    world: World,
    calendar: str,
    event_id: str,
    body: dict,
    *,
    conference: bool,
    now: datetime,
    merge: bool,
) -> dict:
    stored = find(world, calendar, event_id)
    if not isinstance(body, dict):
        raise errors.parse_error()
    if calendar != stored.organizer:
        return _answer_invitation(world, stored, calendar, body, now)
    wanted = _merge(_writable(stored.body), _writable(body)) if merge else _writable(body)
    return _replace(world, stored, wanted, body, conference=conference, now=now)


def delete(world: World, calendar: str, event_id: str, *, now: datetime) -> None:
    """The organizer's delete cancels the event everywhere; an attendee's removes their copy
    and declines."""
    stored = find(world, calendar, event_id)
    if calendar != stored.organizer:
        _set_response(stored, calendar, "declined", now)
        del world.calendars[calendar][event_id]
        return
    if stored.body.get("status") == "cancelled":
        raise errors.deleted()
    stored.body["status"] = "cancelled"
    stored.body["sequence"] = stored.body.get("sequence", 0) + 1
    _touch(stored, now)


def respond(world: World, calendar: str, event_id: str, response: str, *, now: datetime) -> dict:
    """The attendee `calendar` answers the invitation (what their Calendar UI would do)."""
    stored = find(world, calendar, event_id)
    if response not in RESPONSES:
        raise errors.invalid(f"responseStatus must be one of {', '.join(RESPONSES)}.")
    if not _set_response(stored, calendar, response, now):
        raise errors.invalid(f"{calendar} is not an attendee of this event.")
    return view(stored, calendar)


def _replace(
    world, stored: StoredEvent, fields: dict, body: dict, *, conference: bool, now
) -> dict:
    _validate(fields, world.calendar_zone(stored.organizer))
    before = stored.body
    times_changed = (before.get("start"), before.get("end")) != (
        fields.get("start"),
        fields.get("end"),
    )
    kept = {k: v for k, v in before.items() if k not in WRITABLE_FIELDS}
    event = kept | fields
    attendees = _attendees(
        fields.get("attendees"), stored.organizer, previous=before.get("attendees")
    )
    event.pop("attendees", None)
    if attendees:
        event["attendees"] = attendees
    if times_changed:
        event["sequence"] = before.get("sequence", 0) + 1
    if conference and "conferenceData" in body:
        _add_conference(event, body.get("conferenceData"))
    old_attendees = {a["email"] for a in before.get("attendees", [])}
    stored.body = event
    _touch(stored, now)
    _unlink_removed(world, stored, old_attendees)
    _link_attendees(world, stored)
    return view(stored, stored.organizer)


def _answer_invitation(world, stored: StoredEvent, attendee: str, body: dict, now) -> dict:
    """An attendee's write on their copy: only their own response is theirs to change."""
    for entry in body.get("attendees") or []:
        if isinstance(entry, dict) and str(entry.get("email", "")).lower() == attendee:
            response = entry.get("responseStatus")
            if response is not None:
                if response not in RESPONSES:
                    raise errors.invalid("Invalid attendee responseStatus.")
                _set_response(stored, attendee, response, now)
    return view(stored, attendee)


def _set_response(stored: StoredEvent, email: str, response: str, now) -> bool:
    for attendee in stored.body.get("attendees", []):
        if attendee["email"] == email:
            attendee["responseStatus"] = response
            _touch(stored, now)
            return True
    return False


def _touch(stored: StoredEvent, now: datetime) -> None:
    stored.body["updated"] = format_stamp(now)
    stored.body["etag"] = new_etag()


def _link_attendees(world: World, stored: StoredEvent) -> None:
    event_id = stored.body["id"]
    for attendee in stored.body.get("attendees", []):
        email = attendee["email"]
        if email != stored.organizer and world.user(email) is not None:
            world.calendars[email].setdefault(event_id, stored)


def _unlink_removed(world: World, stored: StoredEvent, before: set[str]) -> None:
    now_invited = {a["email"] for a in stored.body.get("attendees", [])}
    for email in before - now_invited:
        if world.calendars[email].get(stored.body["id"]) is stored and email != stored.organizer:
            del world.calendars[email][stored.body["id"]]


def _writable(body: dict) -> dict:
    return {k: copy.deepcopy(v) for k, v in body.items() if k in WRITABLE_FIELDS}


def _merge(base: dict, changes: dict) -> dict:
    """Patch semantics: objects merge, anything else (lists included) replaces, null removes."""
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _validate(fields: dict, zone: ZoneInfo) -> None:
    if "start" not in fields:
        raise errors.required("Missing start time.")
    if "end" not in fields:
        raise errors.required("Missing end time.")
    try:
        start, _, start_all_day = event_time(fields["start"], zone)
        end, _, end_all_day = event_time(fields["end"], zone)
    except (ValueError, TypeError) as exc:
        raise errors.invalid("Invalid start or end time.") from exc
    if start_all_day != end_all_day:
        raise errors.invalid("Start and end times must either both be date or both be dateTime.")
    # Instants, not wall clocks: Python compares two times of one zone by their clocks, and
    # 01:45 EDT to 01:15 EST (30 minutes across the autumn change) ends after it starts.
    if end.timestamp() < start.timestamp():
        raise errors.time_range_empty()
    if fields.get("recurrence"):
        if not start_all_day and not fields["start"].get("timeZone"):
            raise errors.required("Missing time zone definition for start time.")
        try:
            recurrence.validate(fields["recurrence"])
        except ValueError as exc:
            raise errors.invalid("Invalid recurrence rule.") from exc
    if fields.get("status", "confirmed") not in ("confirmed", "tentative", "cancelled"):
        raise errors.invalid("Invalid value for: status")
    if fields.get("transparency", "opaque") not in ("opaque", "transparent"):
        raise errors.invalid("Invalid value for: transparency")
    _validate_properties(fields.get("extendedProperties"))
    attendees = fields.get("attendees", [])
    if not isinstance(attendees, list) or not all(
        isinstance(a, dict) and isinstance(a.get("email"), str) and "@" in a["email"]
        for a in attendees
    ):
        raise errors.invalid("Invalid attendee email.")


def _validate_properties(props) -> None:
    if props is None:
        return
    if not isinstance(props, dict) or set(props) - {"private", "shared"}:
        raise errors.invalid("Invalid extendedProperties.")
    for values in props.values():
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            raise errors.invalid("Invalid extendedProperties.")


def _attendees(given, organizer: str, previous=None) -> list[dict]:
    """Normalised attendee list: lower-case emails, no duplicates, the organizer accepted,
    answers already given kept unless the caller sets one."""
    answers = {a["email"]: a.get("responseStatus") for a in previous or []}
    result, seen = [], set()
    for entry in given or []:
        email = entry["email"].strip().lower()
        if email in seen:
            continue
        seen.add(email)
        attendee = {k: v for k, v in entry.items() if k not in ("self", "organizer")} | {
            "email": email
        }
        default = "accepted" if email == organizer else answers.get(email) or "needsAction"
        if attendee.get("responseStatus") not in RESPONSES:
            attendee["responseStatus"] = default
        result.append(attendee)
    return result


def _add_conference(event: dict, conference_data) -> None:
    if not isinstance(conference_data, dict) or "createRequest" not in conference_data:
        return
    request = conference_data["createRequest"]
    if not isinstance(request, dict) or not request.get("requestId"):
        raise errors.invalid("Invalid conference create request.")
    kind = (request.get("conferenceSolutionKey") or {}).get("type", "hangoutsMeet")
    if kind != "hangoutsMeet":
        raise errors.invalid("Invalid conference type value.")
    existing = event.get("conferenceData", {})
    if existing.get("createRequest", {}).get("requestId") == request["requestId"]:
        return  # the same request again changes nothing, as at Google
    code = new_meet_code()
    event["hangoutLink"] = f"https://meet.google.com/{code}"
    event["conferenceData"] = {
        "createRequest": {
            "requestId": request["requestId"],
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
            "status": {"statusCode": "success"},
        },
        "entryPoints": [
            {
                "entryPointType": "video",
                "uri": f"https://meet.google.com/{code}",
                "label": f"meet.google.com/{code}",
            }
        ],
        "conferenceSolution": {
            "key": {"type": "hangoutsMeet"},
            "name": "Google Meet",
            "iconUri": MEET_ICON,
        },
        "conferenceId": code,
    }


def format_busy(periods) -> list[dict]:
    return [{"start": format_utc(s), "end": format_utc(e)} for s, e in periods]
