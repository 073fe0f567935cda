"""Google Calendar's JSON, to and from the provider interface's plain data. Pure.

Google's answers are parsed defensively: a field of the wrong type is an unreadable answer
(`ValueError`), never a crash deeper in meetbridge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from meetbridge.integrations import pieces
from meetbridge.integrations.provider import Attendee, EventDraft, EventView, FreeBusy, Interval

# Google answers "The requested time range is too long." at about 90 days (undocumented);
# 60-day pieces stay well clear of that edge.
MAX_FREEBUSY_SPAN = timedelta(days=60)
MAX_FREEBUSY_CALENDARS = 50
EVENT_ID_PATTERN = re.compile(r"^[a-v0-9]{5,1024}$")
RESPONSES = frozenset({"needsAction", "accepted", "declined", "tentative"})


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("times given to Google must carry a time zone")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("a time in Google's answer is not text")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("a time in Google's answer has no offset")
    return moment


_BUSY_TIMES: dict[str, datetime] = {}
_BUSY_INTERVALS: dict[tuple[str, str], Interval] = {}
_BUSY_KEPT = 8192


def _remembered(kept: dict, key, make):
    """What `make()` gives for `key`, made once: the same busy times come back again and again
    (everyone in a meeting has it, and times fall on the quarter hour), and a large answer holds
    thousands. Datetimes and intervals are immutable, so one may be handed out many times."""
    found = kept.get(key)
    if found is None:
        found = make()
        if len(kept) >= _BUSY_KEPT:
            kept.clear()  # bounded: start again rather than grow
        kept[key] = found
    return found


def _busy_time(value: Any) -> datetime:
    if type(value) is not str:
        return parse_time(value)  # refuses it
    return _remembered(_BUSY_TIMES, value, lambda: parse_time(value))


def _busy_interval(item: Any) -> Interval:
    # Thousands per answer: JSON objects are dicts, so the general Mapping check comes second.
    if type(item) is not dict and not isinstance(item, Mapping):
        raise ValueError("freeBusy busy entry is not an object")
    start, end = item.get("start"), item.get("end")
    if type(start) is not str or type(end) is not str:
        return Interval(parse_time(start), parse_time(end))  # refuses them
    found = _BUSY_INTERVALS.get((start, end))  # the common case, without a call
    if found is not None:
        return found
    return _remembered(
        _BUSY_INTERVALS, (start, end), lambda: Interval(_busy_time(start), _busy_time(end))
    )


def split_range(start: datetime, end: datetime, span: timedelta = MAX_FREEBUSY_SPAN):
    return pieces.split_range(start, end, span)


def batches(items: list[str], size: int = MAX_FREEBUSY_CALENDARS) -> list[list[str]]:
    return pieces.batches(items, size)


normalise_emails = pieces.normalise_emails


def freebusy_request(emails: list[str], start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "timeMin": rfc3339(start),
        "timeMax": rfc3339(end),
        "timeZone": "UTC",
        "items": [{"id": email} for email in emails],
    }


def read_freebusy(body: Any, emails: list[str]) -> FreeBusy:
    """One freeBusy answer. A calendar with `errors`, or missing, goes to `unknown`."""
    if not isinstance(body, Mapping) or not isinstance(body.get("calendars"), Mapping):
        raise ValueError("freeBusy answer has no calendars")
    calendars = {str(k).lower(): v for k, v in body["calendars"].items()}
    busy: dict[str, list[Interval]] = {}
    unknown: dict[str, str] = {}
    for email in emails:
        entry = calendars.get(email)
        if not isinstance(entry, Mapping):
            unknown[email] = "missing"
            continue
        errors = entry.get("errors") or []
        if errors:
            reasons = [
                str(e.get("reason"))[:40]
                for e in errors
                if isinstance(e, Mapping) and e.get("reason")
            ]
            unknown[email] = ",".join(reasons) or "error"
            continue
        busy[email] = [_busy_interval(item) for item in entry.get("busy") or []]
    return FreeBusy(busy=busy, unknown=unknown)


merge_freebusy = pieces.merge_freebusy


def events_request(start: datetime, end: datetime, page_token: str | None = None) -> dict:
    """events.list over [start, end): each occurrence on its own, only what free/busy needs."""
    params = {
        "timeMin": rfc3339(start),
        "timeMax": rfc3339(end),
        "singleEvents": "true",
        "maxResults": "2500",
        # Times and the owner's own answer only: no title, description or other attendees.
        "fields": "items(id,status,transparency,start,end,attendees(self,responseStatus)),"
        "nextPageToken",
    }
    if page_token:
        params["pageToken"] = page_token
    return params


def read_busy_events(body: Any, owner: str, leave_out: str) -> tuple[list[Interval], str | None]:
    """The busy time of one page of `owner`'s events, the event `leave_out` left out (an
    attendee's copy has the organizer's id), by freeBusy's rules: cancelled events, events
    shown as available and invitations the owner declined leave the owner free. With the
    next page's token, if any."""
    if not isinstance(body, Mapping) or not isinstance(body.get("items", []), list):
        raise ValueError("events answer has no items list")
    busy = []
    for item in body.get("items", []):
        if not isinstance(item, Mapping):
            raise ValueError("an event is not an object")
        if item.get("id") == leave_out or not _blocks_time(item, owner):
            continue
        busy.append(Interval(_event_time(item.get("start")), _event_time(item.get("end"))))
    token = body.get("nextPageToken")
    return busy, token if isinstance(token, str) and token else None


def _blocks_time(item: Mapping[str, Any], owner: str) -> bool:
    if item.get("status") == "cancelled" or item.get("transparency") == "transparent":
        return False
    for attendee in item.get("attendees") or []:
        if isinstance(attendee, Mapping) and (
            attendee.get("self") or str(attendee.get("email", "")).lower() == owner
        ):
            return attendee.get("responseStatus") != "declined"
    return True


# --- events -----------------------------------------------------------------------------------


def check_event_id(event_id: str) -> None:
    if not EVENT_ID_PATTERN.match(event_id):
        raise ValueError(
            "event ids must be 5 to 1024 characters of a-v and 0-9 (Google's base32hex)"
        )


def _when(moment: datetime, time_zone: str) -> dict[str, str]:
    local = moment.astimezone(ZoneInfo(time_zone))
    return {"dateTime": local.isoformat(), "timeZone": time_zone}


def event_body(draft: EventDraft) -> dict[str, Any]:
    check_event_id(draft.event_id)
    organizer = draft.organizer_email.lower()
    attendees = [{"email": organizer, "organizer": True, "responseStatus": "accepted"}]
    attendees += [
        {"email": email} for email in normalise_emails(draft.attendee_emails) if email != organizer
    ]
    body: dict[str, Any] = {
        "id": draft.event_id,
        "summary": draft.title,
        "start": _when(draft.start, draft.time_zone),
        "end": _when(draft.end, draft.time_zone),
        "attendees": attendees,
        "extendedProperties": {"private": dict(draft.marker)},
    }
    if draft.description:
        body["description"] = draft.description
    if draft.video:
        body["conferenceData"] = {
            "createRequest": {
                "requestId": draft.event_id,
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            }
        }
    return body


def move_body(
    start: datetime,
    end: datetime,
    time_zone: str,
    organizer: str = "",
    attendee_emails: Sequence[str] | None = None,
) -> dict[str, Any]:
    """New times in the organizer's zone: without `timeZone` the event would lose its zone.

    With `attendee_emails`, the attendee list is sent again with every answer back to
    needsAction: Google keeps answers across a PATCH of the times, but an answer to the old
    time says nothing about the new one.
    """
    body: dict[str, Any] = {"start": _when(start, time_zone), "end": _when(end, time_zone)}
    if attendee_emails is not None:
        organizer = organizer.lower()
        body["attendees"] = [
            {"email": organizer, "organizer": True, "responseStatus": "accepted"}
        ] + [
            {"email": email, "responseStatus": "needsAction"}
            for email in normalise_emails(attendee_emails)
            if email != organizer
        ]
    return body


def _event_time(value: Any) -> datetime:
    if not isinstance(value, Mapping):
        raise ValueError("event start or end is not an object")
    if value.get("dateTime"):
        return parse_time(value["dateTime"])
    if isinstance(value.get("date"), str):  # all-day: midnight UTC of that date
        return datetime.fromisoformat(value["date"][:10]).replace(tzinfo=UTC)
    raise ValueError("event start or end has no time")


def _text(value: Any, limit: int = 1024) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _video_link(body: Mapping[str, Any]) -> str | None:
    if isinstance(body.get("hangoutLink"), str):
        return body["hangoutLink"]
    conference = body.get("conferenceData")
    if isinstance(conference, Mapping):
        for entry in conference.get("entryPoints") or []:
            if isinstance(entry, Mapping) and entry.get("entryPointType") == "video":
                uri = entry.get("uri")
                if isinstance(uri, str):
                    return uri
    return None


def private_marker(body: Mapping[str, Any]) -> dict[str, str]:
    props = body.get("extendedProperties")
    private = props.get("private") if isinstance(props, Mapping) else None
    if not isinstance(private, Mapping):
        return {}
    return {str(k): str(v) for k, v in private.items()}


def event_view(body: Any) -> EventView:
    if not isinstance(body, Mapping) or not isinstance(body.get("id"), str):
        raise ValueError("event answer has no id")
    organizer = body.get("organizer") if isinstance(body.get("organizer"), Mapping) else {}
    attendees = []
    for item in body.get("attendees") or []:
        if isinstance(item, Mapping) and isinstance(item.get("email"), str):
            response = item.get("responseStatus")
            attendees.append(
                Attendee(
                    email=item["email"].lower(),
                    response=response if response in RESPONSES else "needsAction",
                )
            )
    return EventView(
        event_id=body["id"],
        status=_text(body.get("status"), 20) or "confirmed",
        title=_text(body.get("summary")),
        start=_event_time(body.get("start")),
        end=_event_time(body.get("end")),
        organizer_email=_text(organizer.get("email"), 254).lower(),
        attendees=tuple(attendees),
        html_link=_text(body.get("htmlLink")) or None,
        video_link=_video_link(body),
        marker=private_marker(body),
    )
