"""A meeting as an iCalendar (.ics) file, for people who keep another calendar. Pure."""

from __future__ import annotations

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


def meeting_ics(meeting: Meeting, *, now: datetime) -> bytes:
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
    event.add("organizer", _address(meeting.organizer))
    for attendee in meeting.attendees:
        event.add(
            "attendee",
            _address(
                attendee.email,
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
    return f"meeting-{meeting.id}.ics"
