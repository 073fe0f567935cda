"""Availability reuses and shares free/busy answers; bookings never do, and drop what they make
stale. Counted where it matters: the calls the sandbox (Google) answered."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import requests

from meetbridge.audit.models import AuditEvent
from meetbridge.scheduling.availability import REUSED_OPERATION
from meetbridge.tenants.models import ApiToken
from tests.conftest import api_as
from tests.meetings.helpers import booking_body
from tests.scheduling.test_availability_api import at, next_weekday

FREEBUSY = "calendar.freebusy.query"
CONCURRENT = 64


def availability_params(team, day):
    return {
        "with": [p.email for p in team.members[:2]],
        "start": at(day, 0).isoformat(),
        "end": at(day, 23).isoformat(),
        "duration": 30,
    }


def test_64_identical_requests_at_once_make_at_most_two_google_calls(make_team, live_server):
    team = make_team(members=3)
    ana = team.admin
    _, token = ApiToken.issue(ana)
    params = availability_params(team, next_weekday(2))
    before = team.sandbox.calls(FREEBUSY)
    start = threading.Barrier(CONCURRENT)

    def ask(_):
        start.wait(timeout=60)
        return requests.get(
            f"{live_server.url}/api/v1/availability",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )

    with ThreadPoolExecutor(CONCURRENT) as pool:
        answers = list(pool.map(ask, range(CONCURRENT)))

    assert [a.status_code for a in answers] == [200] * CONCURRENT, {a.text for a in answers}
    assert len({a.text for a in answers}) == 1
    upstream = team.sandbox.calls(FREEBUSY) - before
    assert 1 <= upstream <= 2
    # The audit log tells calls to Google from reused answers, one entry per request.
    called = AuditEvent.objects.filter(actor=ana, operation=FREEBUSY).count()
    reused = AuditEvent.objects.filter(actor=ana, operation=REUSED_OPERATION, outcome="reused")
    assert called == upstream
    assert called + reused.count() == CONCURRENT


def test_a_booking_rechecks_fresh_and_drops_the_answers_it_makes_stale(make_team):
    team = make_team(members=3)
    ana, ben = team.admin, team.members[0]
    api = api_as(ana)
    day = next_weekday(2)
    params = availability_params(team, day)
    first = api.get("/availability", params).json()["slots"]
    slot = first[0]["start"]
    assert api.get("/availability", params).json()["slots"] == first  # reused

    calls = team.sandbox.calls(FREEBUSY)
    booked = api.post("/meetings", booking_body([ben], datetime.fromisoformat(slot)))
    assert booked.status_code == 201, booked.json()
    assert team.sandbox.calls(FREEBUSY) == calls + 1  # the booking asked Google itself

    after = api.get("/availability", params).json()["slots"]
    assert team.sandbox.calls(FREEBUSY) == calls + 2  # not the answer from before the booking
    assert slot not in [s["start"] for s in after]
