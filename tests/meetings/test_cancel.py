"""DELETE /api/v1/meetings/{id}: the organizer cancels; the calendar tells the attendees."""

from __future__ import annotations

from meetbridge.meetings.models import Booking
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at


def test_cancelling_removes_the_meeting_from_every_calendar_and_frees_the_time(team):
    ben, cy, dee = team.members[:3]
    start = next_weekday_at(9)
    meeting = api_as(ben).post("/meetings", booking_body([cy], start)).json()
    response = api_as(ben).delete(f"/meetings/{meeting['id']}")
    assert response.status_code == 204
    for person in (ben, cy):
        assert meetbridge_events(team.sandbox, person.email) == []
        [cancelled] = meetbridge_events(team.sandbox, person.email, include_cancelled=True)
        assert cancelled["status"] == "cancelled"
    assert Booking.objects.get().state == "cancelled"
    # The time is free again, here and on Google.
    assert api_as(dee).post("/meetings", booking_body([cy], start)).status_code == 201


def test_cancelling_twice_is_fine(team):
    ben, cy = team.members[:2]
    meeting = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9))).json()
    api = api_as(ben)
    assert api.delete(f"/meetings/{meeting['id']}").status_code == 204
    assert api.delete(f"/meetings/{meeting['id']}").status_code == 204


def test_only_the_organizer_cancels(team):
    ben, cy, dee = team.members[:3]
    meeting = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9))).json()
    assert api_as(cy).delete(f"/meetings/{meeting['id']}").status_code == 403
    assert api_as(dee).delete(f"/meetings/{meeting['id']}").status_code == 404
    assert Booking.objects.get().state == "confirmed"
