"""A video link asked for and not made: the meeting says so, in the API and on the page.

Microsoft Graph answers a create with `isOnlineMeeting` quietly false when the organizer's
mailbox cannot hold Teams meetings; the stand-in does the same for a mailbox with `teams: false`.
The note itself is meetbridge's, in neutral words, whichever calendar made the meeting.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from meetbridge.audit.models import AuditEvent
from meetbridge.integrations.provider import EventView
from meetbridge.meetings.meeting import NO_VIDEO_NOTE, Meeting, video_note
from meetbridge.meetings.models import Booking
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, next_weekday_at

NOON = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def team(make_microsoft_team):
    return make_microsoft_team(members=2)


def test_a_plain_meeting_instead_of_a_teams_one_is_noted_on_the_meeting(team):
    ben, cy = team.members
    team.sandbox.change_mailbox(ben.email, teams=False)
    api = api_as(ben)
    response = api.post("/meetings", booking_body([cy], next_weekday_at(10), video=True))
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["video_link"] is None
    assert made["video_note"] == NO_VIDEO_NOTE
    assert "Teams" not in made["video_note"]  # the same words whichever calendar it is

    read = api.get(f"/meetings/{made['id']}").json()
    assert (read["video_link"], read["video_note"]) == (None, NO_VIDEO_NOTE)
    [listed] = api.get("/meetings").json()
    assert listed["video_note"] == NO_VIDEO_NOTE
    # An attendee sees it too: nobody should wait for a link that will not come.
    assert api_as(cy).get(f"/meetings/{made['id']}").json()["video_note"] == NO_VIDEO_NOTE

    page = signed_in(ben).get("/meetings").content.decode()
    assert 'class="note video-note"' in page and "without a video link" in page
    assert "Join the video call" not in page

    # The admin's audit log keeps the provider's own words.
    [note] = AuditEvent.objects.filter(operation="graph.events.create", outcome="no_video_link")
    assert "no Teams link" in note.detail


def test_a_teams_meeting_has_its_link_and_no_note(team):
    ben, cy = team.members
    response = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(11), video=True))
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["video_link"].startswith("https://teams.microsoft.com/l/meetup-join/")
    assert made["video_note"] is None
    assert "video-note" not in signed_in(ben).get("/meetings").content.decode()
    assert not AuditEvent.objects.filter(outcome="no_video_link").exists()


def test_no_note_when_no_video_was_asked_for(team):
    ben, cy = team.members
    team.sandbox.change_mailbox(ben.email, teams=False)
    response = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(12)))
    assert response.status_code == 201, response.json()
    assert (response.json()["video_link"], response.json()["video_note"]) == (None, None)


def test_the_note_goes_once_the_meeting_is_cancelled(team):
    ben, cy = team.members
    team.sandbox.change_mailbox(ben.email, teams=False)
    api = api_as(ben)
    made = api.post("/meetings", booking_body([cy], next_weekday_at(13), video=True)).json()
    assert api.delete(f"/meetings/{made['id']}").status_code == 204
    booking = Booking.objects.get(event_id=made["id"])
    assert booking.as_meeting().status == "cancelled"
    assert booking.as_meeting().video_note is None


# --- the rule, without a calendar -------------------------------------------------------------


def view(video_link: str | None, status: str = "confirmed") -> EventView:
    return EventView("ev1", status, "Planning", NOON, NOON, "ben@acme.test", (), None, video_link)


@pytest.mark.parametrize(
    ("asked", "link", "status", "noted"),
    [
        (True, None, "confirmed", True),
        (True, None, "tentative", True),
        (True, None, "rescheduling", True),
        (True, "https://video.example/abc", "confirmed", False),
        (False, None, "confirmed", False),
        (True, None, "cancelled", False),
        (True, None, "inserting", False),  # not on the calendar yet: nothing to say
        (True, None, "failed", False),
    ],
)
def test_when_the_note_is_shown(asked, link, status, noted):
    assert (video_note(asked, link, status) == NO_VIDEO_NOTE) is noted


def test_a_meeting_read_from_the_calendar_carries_the_note_in_its_json():
    meeting = Meeting.from_event(view(None), video_asked=True)
    assert meeting.to_json()["video_note"] == NO_VIDEO_NOTE
    assert Meeting.from_event(view(None)).to_json()["video_note"] is None
