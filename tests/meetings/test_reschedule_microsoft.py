"""A move asks everyone again on Microsoft 365 too: an attendee's old answer does not survive a
new time (the Google side is `test_schedule_rules.test_a_move_resets_every_attendee_s_answer`).

The tenant is connected to the Microsoft 365 stand-in, and the meeting is booked and moved
through the API, as a page or a client would.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from meetbridge.meetings.models import Booking
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, next_weekday_at


@pytest.fixture
def microsoft_tenant(make_microsoft_team):
    """Acme on Microsoft 365: Ben and Cy (and Ana), all granted calendar access."""
    team = make_microsoft_team(2)
    return team.members[0], team.members[1]


def organizer_event(microsoft, organizer: str) -> dict:
    [event] = [
        e for e in microsoft.events_of(organizer) if e["isOrganizer"] and not e["isCancelled"]
    ]
    return event


def answer_of(event: dict, email: str) -> str:
    return next(
        a["status"]["response"] for a in event["attendees"] if a["emailAddress"]["address"] == email
    )


@pytest.mark.parametrize("answer", ["accepted", "declined", "tentativelyAccepted"])
def test_a_move_resets_the_attendee_s_answer_on_microsoft_365(microsoft, microsoft_tenant, answer):
    ben, cy = microsoft_tenant
    booked = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9)))
    assert booked.status_code == 201, booked.json()
    meeting_id = booked.json()["id"]
    event = organizer_event(microsoft, ben.email)
    microsoft.respond(cy.email, event["id"], answer)
    assert answer_of(organizer_event(microsoft, ben.email), cy.email) == answer
    before = api_as(ben).get(f"/meetings/{meeting_id}").json()
    assert {a["email"]: a["response"] for a in before["attendees"]}[cy.email] != "needsAction"

    new_start = next_weekday_at(11)
    moved = api_as(ben).patch(f"/meetings/{meeting_id}", {"start": new_start.isoformat()})

    assert moved.status_code == 200, moved.json()
    assert {a["email"]: a["response"] for a in moved.json()["attendees"]} == {
        cy.email: "needsAction"
    }
    on_calendar = organizer_event(microsoft, ben.email)
    assert answer_of(on_calendar, cy.email) == "none"  # Graph's "not answered yet"
    assert Booking.objects.get().start == new_start
    read_back = api_as(ben).get(f"/meetings/{meeting_id}").json()
    assert datetime.fromisoformat(read_back["start"]) == new_start
    assert {a["email"]: a["response"] for a in read_back["attendees"]}[cy.email] == "needsAction"


def test_a_move_that_is_refused_keeps_the_attendee_s_answer(microsoft, microsoft_tenant):
    """No new time, no new question: a refused move leaves the answer as it was."""
    ben, cy = microsoft_tenant
    booked = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9)))
    assert booked.status_code == 201, booked.json()
    event = organizer_event(microsoft, ben.email)
    microsoft.respond(cy.email, event["id"], "accepted")

    refused = api_as(ben).patch(
        f"/meetings/{booked.json()['id']}", {"start": "2020-01-01T03:00:00+00:00"}
    )

    assert refused.status_code == 422
    assert answer_of(organizer_event(microsoft, ben.email), cy.email) == "accepted"
