"""The Idempotency-Key header: a repeated request gets the first answer, and books once."""

from __future__ import annotations

from datetime import timedelta, timezone

from meetbridge.meetings.models import Booking
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at


def test_repeating_a_booking_with_its_key_answers_the_same_meeting_once(team):
    ben, cy = team.members[:2]
    api = api_as(ben)
    body = booking_body([cy], next_weekday_at(13))
    first = api.post("/meetings", body, HTTP_IDEMPOTENCY_KEY="book-1")
    again = api.post("/meetings", body, HTTP_IDEMPOTENCY_KEY="book-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(meetbridge_events(team.sandbox, ben.email)) == 1
    assert Booking.objects.count() == 1


def test_the_same_request_spelled_differently_is_still_the_same_request(team):
    ben, cy = team.members[:2]
    api = api_as(ben)
    start = next_weekday_at(13)
    first = api.post("/meetings", booking_body([cy], start), HTTP_IDEMPOTENCY_KEY="k")
    body = booking_body([cy.email.upper()], start.astimezone(timezone(timedelta(hours=-4)))) | {
        "title": " Planning "
    }
    again = api.post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]


def test_the_same_key_with_another_request_is_refused_and_books_nothing(team):
    ben, cy = team.members[:2]
    api = api_as(ben)
    api.post("/meetings", booking_body([cy], next_weekday_at(13)), HTTP_IDEMPOTENCY_KEY="k")
    other = api.post("/meetings", booking_body([cy], next_weekday_at(16)), HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 422
    error = other.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert "new key" in error["message"]
    assert len(meetbridge_events(team.sandbox, ben.email)) == 1


def test_a_refusal_for_a_taken_slot_is_the_answer_the_key_keeps(team):
    ben, cy, dee = team.members[:3]
    start = next_weekday_at(13)
    assert api_as(dee).post("/meetings", booking_body([cy], start)).status_code == 201
    api = api_as(ben)
    body = booking_body([cy], start)
    first = api.post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k")
    again = api.post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == again.status_code == 409
    assert first.json() == again.json()


def test_keys_are_per_person(team):
    ben, cy, dee = team.members[:3]
    first = api_as(ben).post(
        "/meetings", booking_body([cy], next_weekday_at(9)), HTTP_IDEMPOTENCY_KEY="same"
    )
    second = api_as(dee).post(
        "/meetings", booking_body([cy], next_weekday_at(11)), HTTP_IDEMPOTENCY_KEY="same"
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]


def test_a_malformed_key_is_refused(team):
    ben, cy = team.members[:2]
    response = api_as(ben).post(
        "/meetings", booking_body([cy], next_weekday_at(9)), HTTP_IDEMPOTENCY_KEY="a b"
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
