"""POST /api/v1/meetings: a member books a meeting with colleagues on their Google calendars."""

from __future__ import annotations

from datetime import timedelta

from meetbridge.meetings.models import Booking
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at


def test_a_booking_lands_on_both_calendars_with_the_attendee_invited(team):
    ben, cy = team.members[:2]
    start = next_weekday_at(14)
    response = api_as(ben).post(
        "/meetings", booking_body([cy], start, title="Roadmap", description="Agenda: Q3")
    )
    assert response.status_code == 201, response.json()
    meeting = response.json()
    assert meeting["status"] == "confirmed"
    assert meeting["title"] == "Roadmap"
    assert meeting["organizer"] == ben.email
    assert meeting["attendees"] == [{"email": cy.email, "response": "needsAction"}]
    assert meeting["video_link"] is None
    assert meeting["html_link"].startswith("https://")
    assert set(meeting) == {
        "id", "status", "title", "start", "end", "organizer", "attendees", "html_link",
        "video_link", "moving_to", "problem", "video_note",
    }  # fmt: skip

    [on_ben] = meetbridge_events(team.sandbox, ben.email)
    [on_cy] = meetbridge_events(team.sandbox, cy.email)
    assert on_ben["id"] == on_cy["id"] == meeting["id"]
    assert on_ben["description"] == "Agenda: Q3"
    assert on_ben["organizer"]["email"] == ben.email
    private = on_ben["extendedProperties"]["private"]
    booking = Booking.objects.get(event_id=meeting["id"])
    assert private == {"meetbridge_tenant": "acme", "meetbridge_booking": str(booking.pk)}
    assert booking.state == "confirmed"
    assert booking.description == ""  # not kept once the calendar has it


def test_a_meet_link_is_added_when_video_is_asked_for(team):
    ben, cy = team.members[:2]
    response = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(15), video=True))
    assert response.status_code == 201, response.json()
    assert response.json()["video_link"].startswith("https://meet.google.com/")


def test_someone_already_busy_on_google_makes_the_booking_409_naming_them(team):
    ben, cy = team.members[:2]
    start = next_weekday_at(10)
    team.sandbox.seed_event(
        cy.email,
        {
            "summary": "Dentist",
            "start": {"dateTime": (start - timedelta(minutes=15)).isoformat()},
            "end": {"dateTime": (start + timedelta(minutes=15)).isoformat()},
        },
    )
    response = api_as(ben).post("/meetings", booking_body([cy], start))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "slot_taken"
    assert cy.email in error["message"]
    assert meetbridge_events(team.sandbox, ben.email) == []
    assert not Booking.objects.exists()  # refused before anything was reserved


def test_the_request_is_checked_before_anything_is_reserved(team):
    ben, cy = team.members[:2]
    api = api_as(ben)
    start = next_weekday_at(9)
    cases = {
        "start_without_offset": booking_body([cy], start) | {"start": "2031-01-06T09:00:00"},
        "invalid_duration": booking_body([cy], start, duration=3),
        "title_required": booking_body([cy], start, title="  "),
        "duplicate_attendee": booking_body([cy, cy.email.upper()], start),
        "organizer_in_attendees": booking_body([cy, ben], start),
        "attendees_required": booking_body([], start),
        "start_in_past": booking_body([cy], start - timedelta(days=30)),
    }
    for code, body in cases.items():
        response = api.post("/meetings", body)
        assert response.status_code == 422, (code, response.json())
        assert response.json()["error"]["code"] == code
    assert not Booking.objects.exists()
    assert meetbridge_events(team.sandbox, ben.email) == []


def test_a_body_of_the_wrong_shape_is_a_422_naming_the_field(team):
    ben = team.members[0]
    response = api_as(ben).post("/meetings", {"attendees": "cy@acme.test", "start": "soon"})
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "start" in message and "duration" in message


def test_only_colleagues_who_granted_access_can_be_invited(team, other_tenant):
    from meetbridge.tenants.service import add_person

    ben = team.members[0]
    stranger = add_person(tenant=other_tenant, email="zed@globex.test", name="Zed")
    shy = add_person(tenant=team.tenant, email="shy@acme.test", name="Shy")
    for person in (stranger, shy):
        response = api_as(ben).post("/meetings", booking_body([person], next_weekday_at(11)))
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "attendee_not_available"
        assert person.email in error["message"]
    assert not Booking.objects.exists()


def test_an_organizer_who_has_not_granted_access_cannot_book(team):
    from meetbridge.scheduling import consent

    ben, cy = team.members[:2]
    consent.revoke(ben)
    response = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(11)))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "calendar_access_not_granted"


def test_nothing_is_booked_while_the_integration_is_not_verified(team):
    from meetbridge.integrations import connection as integrations

    ben, cy = team.members[:2]
    integrations.disconnect(tenant=team.tenant, actor=team.admin)
    response = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(11)))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "calendar_not_connected"
    assert "Integrations page" in error["message"]
    assert not Booking.objects.exists()
