"""No double booking: concurrent requests for the same person's time, at most one wins."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from meetbridge.tenants.models import ApiToken
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at

REQUESTS = 20


def test_twenty_requests_for_the_same_person_and_slot_book_exactly_one(make_team, live_server):
    """Twenty colleagues ask the live server, at the same instant, for Ben at 10:00."""
    team = make_team(members=REQUESTS + 1)
    wanted, *organizers = team.members
    tokens = [ApiToken.issue(organizer)[1] for organizer in organizers]
    body = booking_body([wanted], next_weekday_at(10))
    barrier = threading.Barrier(REQUESTS)

    def ask(token: str) -> requests.Response:
        barrier.wait(timeout=30)
        return requests.post(
            f"{live_server.url}/api/v1/meetings",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )

    with ThreadPoolExecutor(REQUESTS) as pool:
        answers = list(pool.map(ask, tokens))

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * (REQUESTS - 1), [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            assert answer.json()["error"]["code"] == "slot_taken"
            assert wanted.email in answer.json()["error"]["message"]
    [winner] = [answer.json() for answer in answers if answer.status_code == 201]
    [event] = meetbridge_events(team.sandbox, wanted.email)
    assert event["id"] == winner["id"]
