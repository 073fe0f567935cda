"""Booking and rescheduling keep to everyone's working hours and scheduling rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from meetbridge.meetings.models import Booking
from meetbridge.scheduling import consent
from tests.conftest import api_as
from tests.meetings.helpers import TORONTO, booking_body, meetbridge_events, next_weekday_at


def book(organizer, attendees, start, duration=30):
    response = api_as(organizer).post("/meetings", booking_body(attendees, start, duration))
    assert response.status_code == 201, response.json()
    return response.json()


def saturday_3am() -> datetime:
    start = next_weekday_at(9)
    day = start.astimezone(TORONTO).date()
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    return datetime(saturday.year, saturday.month, saturday.day, 3, tzinfo=TORONTO)


def test_a_move_outside_working_hours_is_422_and_changes_nothing(team):
    ben, cy = team.members[:2]
    consent.grant(cy, time_zone="Europe/Paris")
    start = next_weekday_at(9)
    meeting = book(ben, [cy], start)
    response = api_as(ben).patch(
        f"/meetings/{meeting['id']}", {"start": saturday_3am().isoformat()}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "outside_working_hours"
    assert "working hours" in error["message"]
    assert Booking.objects.get().start == start
    [event] = meetbridge_events(team.sandbox, cy.email)
    assert datetime.fromisoformat(event["start"]["dateTime"]) == start


def test_booking_outside_someone_s_working_hours_is_422(team):
    ben, cy = team.members[:2]
    consent.grant(cy, time_zone="Europe/Paris")  # 09:00 Toronto is 15:00 Paris: fine
    book(ben, [cy], next_weekday_at(9))
    # 12:00 Toronto is 18:00 Paris: after Cy's day.
    late = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(12)))
    assert late.status_code == 422
    assert late.json()["error"]["code"] == "outside_working_hours"
    assert "Europe/Paris" in late.json()["error"]["message"]


def test_a_move_resets_every_attendee_s_answer(team):
    ben, cy = team.members[:2]
    meeting = book(ben, [cy], next_weekday_at(9))
    [event] = meetbridge_events(team.sandbox, cy.email)
    team.sandbox.respond(cy.email, event["id"], "declined")
    response = api_as(ben).patch(
        f"/meetings/{meeting['id']}", {"start": next_weekday_at(11).isoformat()}
    )
    assert response.status_code == 200, response.json()
    answers = {a["email"]: a["response"] for a in response.json()["attendees"]}
    assert answers[cy.email] == "needsAction"
    [moved] = meetbridge_events(team.sandbox, ben.email)
    on_calendar = {a["email"]: a["responseStatus"] for a in moved["attendees"]}
    assert on_calendar == {ben.email: "accepted", cy.email: "needsAction"}


def test_a_buffer_refuses_a_meeting_right_after_another(team):
    ben, cy, dee = team.members[:3]
    book(dee, [cy], next_weekday_at(10))  # Cy busy 10:00-10:30
    set_rules = api_as(cy).put("/me/calendar", {"granted": True, "buffer_before_minutes": 15})
    assert set_rules.status_code == 200
    assert set_rules.json()["buffer_before_minutes"] == 15
    assert api_as(cy).get("/me").json()["buffer_before_minutes"] == 15
    too_close = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(10, 30)))
    assert too_close.status_code == 409
    assert "keeps time free" in too_close.json()["error"]["message"]
    book(ben, [cy], next_weekday_at(10, 45))


def test_a_full_day_takes_no_more_meetings_and_notice_is_kept(team):
    ben, cy = team.members[:2]
    assert (
        api_as(cy).put("/me/calendar", {"granted": True, "max_meetings_per_day": 1}).status_code
        == 200
    )
    book(ben, [cy], next_weekday_at(9))
    full = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(14)))
    assert full.status_code == 422
    assert full.json()["error"]["code"] == "day_full"

    api_as(cy).put("/me/calendar", {"granted": True, "minimum_notice_minutes": 14 * 24 * 60})
    soon = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9, days_ahead=8)))
    assert soon.status_code == 422
    assert soon.json()["error"]["code"] == "notice_too_short"


def test_bad_rules_are_422_and_change_nothing(team):
    cy = team.members[1]
    for body in (
        {"buffer_before_minutes": 121},
        {"buffer_after_minutes": -1},
        {"max_meetings_per_day": "many"},
    ):
        response = api_as(cy).put("/me/calendar", {"granted": True, **body})
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] in ("invalid_scheduling_rule", "invalid_request")
    assert api_as(cy).get("/me").json()["buffer_before_minutes"] == 0
