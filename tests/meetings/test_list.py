"""GET /api/v1/meetings: the caller's meetings booked here, as organizer or attendee."""

from __future__ import annotations

from tests.conftest import api_as
from tests.meetings.helpers import booking_body, next_weekday_at


def test_each_person_lists_the_meetings_they_organise_or_attend_soonest_first(team):
    ben, cy, dee = team.members[:3]
    later = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(15))).json()
    sooner = api_as(cy).post("/meetings", booking_body([dee], next_weekday_at(9))).json()
    # Something on the calendar that meetbridge did not book is not listed.
    team.sandbox.seed_event(
        cy.email,
        {
            "summary": "Lunch",
            "start": {"dateTime": next_weekday_at(12).isoformat()},
            "end": {"dateTime": next_weekday_at(13).isoformat()},
        },
    )

    def ids(person):
        response = api_as(person).get("/meetings")
        assert response.status_code == 200
        return [m["id"] for m in response.json()]

    assert ids(ben) == [later["id"]]
    assert ids(cy) == [sooner["id"], later["id"]]
    assert ids(dee) == [sooner["id"]]
    assert ids(team.admin) == []


def test_the_listing_shows_fresh_responses_and_cancelled_meetings(team):
    ben, cy = team.members[:2]
    api = api_as(ben)
    kept = api.post("/meetings", booking_body([cy], next_weekday_at(9))).json()
    dropped = api.post("/meetings", booking_body([cy], next_weekday_at(11))).json()
    team.sandbox.respond(cy.email, kept["id"], "accepted")
    assert api.delete(f"/meetings/{dropped['id']}").status_code == 204
    listed = {m["id"]: m for m in api.get("/meetings").json()}
    assert listed[kept["id"]]["attendees"] == [{"email": cy.email, "response": "accepted"}]
    assert listed[dropped["id"]]["status"] == "cancelled"
