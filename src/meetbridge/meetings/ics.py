"""A meeting as an iCalendar (.ics) file, for people who keep another calendar. Pure."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress

from meetbridge.meetings.meeting import Meeting

PRODUCT_ID = "-//meetbridge//meetings//EN"
PARTICIPATION = {
    "needsAction": "NEEDS-ACTION",
    "accepted": "ACCEPTED",
    "declined": "DECLINED",
    "tentative": "TENTATIVE",
}
STATUS = {"confirmed": "CONFIRMED", "tentative": "TENTATIVE", "cancelled": "CANCELLED"}


def _address(email: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params.update(params)
    return address


def meeting_ics(
    meeting: Meeting, *, now: datetime, names: Mapping[str, str] | None = None
) -> bytes:
    """`names`: display names by e-mail, given as each address's CN."""
    names = names or {}

    def named(email: str) -> dict[str, str]:
        return {"CN": names[email]} if names.get(email) else {}

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")

    event = Event()
    event.add("uid", f"{meeting.id}@meetbridge")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", meeting.start.astimezone(UTC))
    event.add("dtend", meeting.end.astimezone(UTC))
    event.add("summary", meeting.title)
    event.add("status", STATUS.get(meeting.status, "CONFIRMED"))
    event.add("organizer", _address(meeting.organizer, **named(meeting.organizer)))
    for attendee in meeting.attendees:
        event.add(
            "attendee",
            _address(
                attendee.email,
                **named(attendee.email),
                ROLE="REQ-PARTICIPANT",
                PARTSTAT=PARTICIPATION.get(attendee.response, "NEEDS-ACTION"),
            ),
        )
    if meeting.html_link:
        event.add("url", meeting.html_link)
    if meeting.video_link:
        event.add("location", meeting.video_link)
        event.add("conference", meeting.video_link, parameters={"VALUE": "URI", "FEATURE": "VIDEO"})
    calendar.add_component(event)
    return calendar.to_ical()


def ics_filename(meeting: Meeting) -> str:
    """'quarterly-plan-2030-03-05.ics': the title's words and the day (UTC), safe anywhere."""
    words = re.findall(
        r"[a-z0-9]+",
        unicodedata.normalize("NFKD", meeting.title.lower()).encode("ascii", "ignore").decode(),
    )
    stem = "-".join(words)[:60].strip("-") or "meeting"
    return f"{stem}-{meeting.start.astimezone(UTC):%Y-%m-%d}.ics"
