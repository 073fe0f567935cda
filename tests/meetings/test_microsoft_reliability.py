"""Exactly once under Microsoft's faults: 100 bookings through throttling, 503s and lost answers.

The Microsoft 365 stand-in answers 20% of Graph calls with 503 or 429 (Retry-After 0,
so nobody sleeps) and makes 10% of the rest, then loses their answer (a 503 after the event
was created). Four members book through the live server, four at a time; every tenth booking
is sent twice at once with the same Idempotency-Key, and a careful client repeats what the API
says may work later with the same key. Whatever failed must say it may be tried again, and does
land once it is (after the faults are gone and the sweep has settled the rest). Then each
organizer's mailbox holds exactly one event per booking: none twice, none missing.

The faults are seeded, the pauses the provider takes are tiny and settled by clearing them
(time passing), not by sleeping: the test does not depend on the machine's speed.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from django.utils import timezone

from meetbridge.audit.models import AuditEvent
from meetbridge.integrations.backoff import BACKOFF
from meetbridge.meetings import states
from meetbridge.meetings.models import Booking
from meetbridge.meetings.repair import sweep
from meetbridge.scheduling import consent
from meetbridge.scheduling.rules import DAYS
from meetbridge.tenants.models import ApiToken
from tests.meetings.helpers import booking_body, next_weekday_at

BOOKINGS = 100
CLIENT_ATTEMPTS = 4
TWICE_AT_ONCE = 10  # every tenth booking is sent twice at the same moment, same key
ROUND_THE_CLOCK = {day: [["00:00", "24:00"]] for day in DAYS}
FAULTS = {
    "paths": ["/microsoft/graph/*"],  # Graph: tokens are cached from the connection check
    "error_rate": 0.2,
    "error_statuses": [503, 429],
    "retry_after_seconds": 0,
    "lose_response_rate": 0.1,
    "seed": 20261130,
}


RETRY_LATER = {
    429: {"calendar_rate_limited"},  # with Retry-After
    503: {"booking_pending", "calendar_unavailable"},  # "repeat the request", "try again"
    409: {"request_in_progress"},  # with Retry-After
}


def retry_later(response: requests.Response) -> bool:
    """The API's own word that the same request may succeed later."""
    if response.status_code not in RETRY_LATER:
        return False
    code = response.json()["error"]["code"]
    told_when = response.status_code == 503 or "Retry-After" in response.headers
    return code in RETRY_LATER[response.status_code] and told_when


class CarefulClient:
    def __init__(self, url: str, token: str) -> None:
        self.url, self.http = url, requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.repeated: list[tuple[str, int, str]] = []  # (key, status, code) of each repeat

    def book(self, body: dict, key: str) -> requests.Response:
        """Repeats, with the same Idempotency-Key, what the API says may work later."""
        for _ in range(CLIENT_ATTEMPTS):
            response = self.http.post(
                f"{self.url}/api/v1/meetings",
                json=body,
                headers={"Idempotency-Key": key},
                timeout=120,
            )
            if not retry_later(response):
                break
            self.repeated.append((key, response.status_code, response.json()["error"]["code"]))
        return response


def test_100_bookings_under_throttling_errors_and_lost_answers_land_exactly_once(
    make_microsoft_team, sandbox, live_server, settings
):
    team = make_microsoft_team(members=4)
    # Two attempts per Graph call, not four: more failures reach the client, which repeats.
    settings.MEETBRIDGE = {**settings.MEETBRIDGE, "MICROSOFT_RETRY_ATTEMPTS": 2}
    for person in team.members:  # 100 half-hours in a row: round-the-clock working hours
        consent.grant(person, working_hours=ROUND_THE_CLOCK)
    clients = [CarefulClient(live_server.url, ApiToken.issue(person)[1]) for person in team.members]
    first = next_weekday_at(6)
    asked = {}
    for i in range(BOOKINGS):
        organizer, attendee = i % 4, (i + 1) % 4
        body = booking_body([team.members[attendee]], first + timedelta(minutes=30 * i))
        asked[i] = (organizer, body, f"ms-booking-{i}")
    # Each booking sent twice is next to its twin in the queue, so the two run at once.
    sends = sorted([*range(BOOKINGS), *range(0, BOOKINGS, TWICE_AT_ONCE)])

    def send(i: int) -> tuple[int, requests.Response]:
        organizer, body, key = asked[i]
        return i, clients[organizer].book(body, key)

    sandbox.set_faults(**FAULTS)  # the sandbox's faults cover its Microsoft routes
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(send, sends))
    finally:
        sandbox.clear_faults()

    # Every answer is a meeting, or says clearly that the same request may be sent again.
    last: dict[int, requests.Response] = {}
    for i, response in answers:
        assert response.status_code == 201 or retry_later(response), (i, response.text)
        if i not in last or last[i].status_code != 201:
            last[i] = response
    meetings_told: dict[int, set[str]] = {}
    for i, response in answers:  # both of a pair tell the same meeting when both answered
        if response.status_code == 201:
            meetings_told.setdefault(i, set()).add(response.json()["id"])
    assert all(len(ids) == 1 for ids in meetings_told.values())

    # Later (the faults are over, the pauses run out, the sweep settles what was left
    # half-done), the client sends what it was told to retry, with the same key.
    BACKOFF.clear()
    sweep(now=timezone.now() + timedelta(minutes=10))
    retried = [i for i, response in last.items() if response.status_code != 201]
    for i in retried:
        organizer, body, key = asked[i]
        last[i] = clients[organizer].book(body, key)
    assert Counter(response.status_code for response in last.values()) == {201: BOOKINGS}, [
        (i, r.text) for i, r in last.items() if r.status_code != 201
    ]

    confirmed_by_api = {response.json()["id"] for response in last.values()}
    assert len(confirmed_by_api) == BOOKINGS
    assert not Booking.objects.filter(state__in=states.UNSETTLED).exists()
    confirmed_here = set(
        Booking.objects.filter(state=states.CONFIRMED).values_list("event_id", flat=True)
    )
    assert confirmed_here == confirmed_by_api

    # On Microsoft: each organizer's mailbox holds exactly the meetings it organises, once each
    # (meetbridge's id travels as the transactionId), and nothing for a booking that failed.
    on_microsoft = []
    for person in team.members:
        organised = [
            event
            for event in team.sandbox.events_of(person.email)
            if event["isOrganizer"] and not event["isCancelled"]
        ]
        on_microsoft += [event["transactionId"] for event in organised]
    assert len(on_microsoft) == BOOKINGS
    assert Counter(on_microsoft) == Counter(confirmed_by_api)  # no duplicate, none missing
    failed = set(Booking.objects.filter(state=states.FAILED).values_list("event_id", flat=True))
    assert not failed & set(on_microsoft)

    # The faults did bite: the client repeated requests it was told to, creates were retried,
    # and lost answers were found again.
    repeated = [repeat for client in clients for repeat in client.repeated]
    assert {code for _, _, code in repeated} & {"calendar_unavailable", "calendar_rate_limited"}
    creates = AuditEvent.objects.filter(operation="graph.events.create")
    assert creates.filter(detail__contains="attempts").exists()
    assert creates.filter(detail__contains="found after a lost answer").exists()
