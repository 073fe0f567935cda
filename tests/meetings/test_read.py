"""GET /api/v1/meetings/{id}: read fresh from the calendar, only meetbridge's events."""

from __future__ import annotations

import uuid
from datetime import timedelta

from meetbridge.audit.models import AuditEvent
from meetbridge.meetings.calendar import calendar_for
from meetbridge.meetings.event_ids import event_id_for
from meetbridge.meetings.models import Booking
from meetbridge.tenants.service import add_person
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at

CONTRACT_FIELDS = {
    "id", "status", "title", "start", "end", "organizer", "attendees", "html_link", "video_link",
    "moving_to", "problem", "video_note",
}  # fmt: skip


def book(team, organizer, attendees, **extra):
    response = api_as(organizer).post(
        "/meetings", booking_body(attendees, next_weekday_at(14), **extra)
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_organizer_and_attendees_read_the_contract_fields_and_nothing_else(team):
    ben, cy, dee = team.members[:3]
    meeting = book(team, ben, [cy, dee], description="Salary review of Dee")
    [event] = meetbridge_events(team.sandbox, ben.email)
    assert event["description"] == "Salary review of Dee"  # the calendar has it; we never show it
    for reader in (ben, cy, dee):
        response = api_as(reader).get(f"/meetings/{meeting['id']}")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == CONTRACT_FIELDS
        assert body["id"] == meeting["id"]
        assert "Salary" not in response.content.decode()


def test_an_attendee_s_decline_in_the_calendar_shows_in_the_meeting(team):
    ben, cy, dee = team.members[:3]
    meeting = book(team, ben, [cy, dee])
    team.sandbox.respond(cy.email, meeting["id"], "declined")
    team.sandbox.respond(dee.email, meeting["id"], "tentative")
    body = api_as(ben).get(f"/meetings/{meeting['id']}").json()
    assert body["attendees"] == [
        {"email": cy.email, "response": "declined"},
        {"email": dee.email, "response": "tentative"},
    ]


def test_a_move_made_in_the_calendar_itself_is_read_and_kept(team):
    ben, cy = team.members[:2]
    meeting = book(team, ben, [cy])
    moved = next_weekday_at(16)
    # As if Ben dragged the event in Google Calendar: a patch through the Calendar API.
    provider = calendar_for(team.tenant, ben)
    provider.move_event(
        as_email=ben.email,
        event_id=meeting["id"],
        start=moved,
        end=moved + timedelta(minutes=30),
        time_zone="UTC",
    )
    body = api_as(cy).get(f"/meetings/{meeting['id']}").json()
    assert body["start"].startswith(moved.strftime("%Y-%m-%dT%H:%M"))
    assert Booking.objects.get().start == moved


def test_an_event_meetbridge_did_not_make_answers_404_without_reading_it(team):
    ben = team.members[0]
    seeded = team.sandbox.seed_event(
        ben.email,
        {
            "summary": "Private",
            "start": {"dateTime": next_weekday_at(9).isoformat()},
            "end": {"dateTime": (next_weekday_at(9) + timedelta(hours=1)).isoformat()},
        },
    )
    response = api_as(ben).get(f"/meetings/{seeded['id']}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api_as(ben).get(f"/meetings/{event_id_for(uuid.uuid4())}").status_code == 404
    assert api_as(ben).get("/meetings/not-an-id").status_code == 404
    assert not AuditEvent.objects.filter(operation="calendar.events.get").exists()


def test_colleagues_outside_the_meeting_and_other_tenants_get_404(team, other_tenant):
    ben, cy, dee = team.members[:3]
    meeting = book(team, ben, [cy])
    outsider = add_person(tenant=other_tenant, email="zed@globex.test", name="Zed")
    for stranger in (dee, outsider):
        response = api_as(stranger).get(f"/meetings/{meeting['id']}")
        assert response.status_code == 404


def test_a_meeting_deleted_in_the_calendar_reads_as_cancelled(team):
    ben, cy = team.members[:2]
    meeting = book(team, ben, [cy])
    calendar_for(team.tenant, ben).cancel_event(as_email=ben.email, event_id=meeting["id"])
    body = api_as(cy).get(f"/meetings/{meeting['id']}").json()
    assert body["status"] == "cancelled"
    assert Booking.objects.get().state == "cancelled"
