"""The meeting shape and its .ics file carry the contract's fields and nothing more."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from meetbridge.integrations.provider import Attendee, EventView
from meetbridge.meetings.ics import ics_filename, meeting_ics
from meetbridge.meetings.meeting import Meeting

START = datetime(2030, 3, 5, 14, 0, tzinfo=UTC)
END = datetime(2030, 3, 5, 14, 30, tzinfo=UTC)


def view(**overrides) -> EventView:
    values = {
        "event_id": "abcdefghij0123456789abcdef",
        "status": "confirmed",
        "title": "Planning, Q2; budget",
        "start": START,
        "end": END,
        "organizer_email": "Ana@acme.test",
        "attendees": (
            Attendee("ana@acme.test", "accepted"),
            Attendee("ben@acme.test", "declined"),
            Attendee("cy@acme.test", "weird"),
        ),
        "html_link": "https://calendar.example/event?eid=1",
        "video_link": "https://meet.example/abc-defg-hij",
        "marker": {"meetbridge_tenant": "1"},
    }
    return EventView(**(values | overrides))


def test_the_json_has_exactly_the_contract_fields():
    body = Meeting.from_event(view()).to_json()
    assert set(body) == {
        "id",
        "status",
        "title",
        "start",
        "end",
        "organizer",
        "attendees",
        "html_link",
        "video_link",
        "moving_to",
        "problem",
        "video_note",  # docs/decisions.md: a contract addition, null unless video was not made
    }
    assert body["video_note"] is None  # no video asked
    assert body["organizer"] == "ana@acme.test"
    # The organizer is named once, not again among the attendees.
    assert body["attendees"] == [
        {"email": "ben@acme.test", "response": "declined"},
        {"email": "cy@acme.test", "response": "needsAction"},
    ]
    assert body["start"] == "2030-03-05T14:00:00+00:00"


def test_the_ics_file_holds_the_meeting_with_each_response():
    meeting = Meeting.from_event(view())
    calendar = Calendar.from_ical(meeting_ics(meeting, now=START))
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Planning, Q2; budget"
    assert event.decoded("dtstart") == START
    assert event.decoded("dtend") == END
    assert str(event["uid"]) == "abcdefghij0123456789abcdef@meetbridge"
    assert str(event["organizer"]) == "mailto:ana@acme.test"
    attendees = {str(a): a.params["PARTSTAT"] for a in event["attendee"]}
    assert attendees == {"mailto:ben@acme.test": "DECLINED", "mailto:cy@acme.test": "NEEDS-ACTION"}
    assert str(event["location"]) == "https://meet.example/abc-defg-hij"
    assert "DESCRIPTION" not in event


def test_a_cancelled_meeting_is_cancelled_in_the_ics_file():
    meeting = Meeting.from_event(view(status="cancelled", video_link=None))
    [event] = Calendar.from_ical(meeting_ics(meeting, now=START)).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert "LOCATION" not in event


def test_people_are_named_in_the_ics_file_and_its_name_is_readable():
    meeting = Meeting.from_event(view(title="Planning, Q2; Café budget"))
    names = {"ana@acme.test": "Ana Ruiz", "ben@acme.test": "Ben O'Neil, Jr."}
    [event] = Calendar.from_ical(meeting_ics(meeting, now=START, names=names)).walk("VEVENT")
    assert event["organizer"].params["CN"] == "Ana Ruiz"
    named = {str(a): a.params.get("CN") for a in event["attendee"]}
    assert named == {"mailto:ben@acme.test": "Ben O'Neil, Jr.", "mailto:cy@acme.test": None}
    assert ics_filename(meeting) == "planning-q2-cafe-budget-2030-03-05.ics"
    assert ics_filename(Meeting.from_event(view(title="会議"))) == "meeting-2030-03-05.ics"
