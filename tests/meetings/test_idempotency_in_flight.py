"""A repeat of a request still in flight, with the same Idempotency-Key: it gets the first
answer, or 409 `request_in_progress` with Retry-After, never a refusal of its own."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from django.utils import timezone

from meetbridge.meetings.idempotency import fingerprint
from meetbridge.meetings.models import Booking, IdempotencyRecord
from meetbridge.meetings.rules import request_payload
from meetbridge.tenants.models import ApiToken
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at

REPEATS = 10


def test_ten_concurrent_identical_requests_book_once_and_all_tell_the_same(team, live_server):
    ben, cy = team.members[:2]
    token = ApiToken.issue(ben)[1]
    body = booking_body([cy], next_weekday_at(11))
    barrier = threading.Barrier(REPEATS)

    def ask(_: int) -> requests.Response:
        barrier.wait(timeout=30)
        return requests.post(
            f"{live_server.url}/api/v1/meetings",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "retry-storm"},
            timeout=60,
        )

    with ThreadPoolExecutor(REPEATS) as pool:
        answers = list(pool.map(ask, range(REPEATS)))

    booked = [a for a in answers if a.status_code == 201]
    assert booked, [a.text for a in answers]
    assert len({a.json()["id"] for a in booked}) == 1
    for answer in answers:
        if answer.status_code != 201:
            assert answer.status_code == 409, answer.text
            assert answer.json()["error"]["code"] == "request_in_progress"
            assert int(answer.headers["Retry-After"]) > 0
    [event] = meetbridge_events(team.sandbox, ben.email)
    assert event["id"] == booked[0].json()["id"]
    assert Booking.objects.count() == 1


def _claim_as_if_in_flight(person, body, key, *, age=timedelta(0)):
    """What a first request leaves between claiming its key and reserving its time."""
    digest = fingerprint(
        "book",
        request_payload(
            attendees=body["attendees"],
            start=timezone.datetime.fromisoformat(body["start"]),
            duration=body["duration"],
            title=body["title"],
        ),
    )
    return IdempotencyRecord.objects.create(
        person=person, key=key, fingerprint=digest, created_at=timezone.now() - age
    )


def test_a_repeat_that_waited_long_enough_is_told_to_retry_not_refused(team, settings):
    settings.MEETBRIDGE = {**settings.MEETBRIDGE, "IDEMPOTENCY_WAIT_SECONDS": 0}
    ben, cy = team.members[:2]
    body = booking_body([cy], next_weekday_at(11))
    _claim_as_if_in_flight(ben, body, "k")

    answer = api_as(ben).post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k")

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "request_in_progress"
    assert answer["Retry-After"] == "2"
    assert meetbridge_events(team.sandbox, ben.email) == []


def test_another_request_under_a_key_in_flight_is_refused_at_once(team, settings):
    settings.MEETBRIDGE = {**settings.MEETBRIDGE, "IDEMPOTENCY_WAIT_SECONDS": 60}
    ben, cy = team.members[:2]
    _claim_as_if_in_flight(ben, booking_body([cy], next_weekday_at(11)), "k")

    answer = api_as(ben).post(
        "/meetings", booking_body([cy], next_weekday_at(15)), HTTP_IDEMPOTENCY_KEY="k"
    )

    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "idempotency_key_reused"


def test_a_claim_left_by_a_crashed_request_is_taken_over(team):
    ben, cy = team.members[:2]
    body = booking_body([cy], next_weekday_at(11))
    _claim_as_if_in_flight(ben, body, "k", age=timedelta(hours=1))

    answer = api_as(ben).post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k")

    assert answer.status_code == 201, answer.json()
    assert len(meetbridge_events(team.sandbox, ben.email)) == 1


def test_a_refused_request_gives_its_key_back(team):
    ben, cy = team.members[:2]
    api = api_as(ben)
    body = booking_body([cy], next_weekday_at(11), duration=2)
    assert api.post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k").status_code == 422
    assert not IdempotencyRecord.objects.filter(key="k").exists()
    fixed = body | {"duration": 30}
    assert api.post("/meetings", fixed, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
