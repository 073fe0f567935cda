"""Over Google's per-person limit: 429 with Retry-After, and a pause per person instead of
retrying into the limit. Against the sandbox's real quota window, moved by its clock."""

from __future__ import annotations

import pytest

from meetbridge.integrations.backoff import BACKOFF
from meetbridge.scheduling import consent
from tests.conftest import api_as
from tests.scheduling.test_availability_api import TORONTO, ask, at, next_weekday

FREEBUSY = "calendar.freebusy.query"


@pytest.fixture
def ana(admin, connected, sandbox):
    consent.grant(admin, time_zone="America/Toronto")
    sandbox.set_limits(user_requests_per_minute=1)  # also forgets the verification's call
    yield api_as(admin)
    BACKOFF.clear()


def day_of(api, hours: int):
    day = next_weekday(2)
    return ask(api, start=at(day, 9), end=at(day, 9 + hours))


def test_over_the_limit_is_429_with_retry_after_until_googles_minute_passes(ana, sandbox):
    assert day_of(ana, 4).status_code == 200
    refused = day_of(ana, 5)
    assert refused.status_code == 429, refused.json()
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
    BACKOFF.clear()  # the pause is meetbridge's own clock; the test moves Google's
    sandbox.advance_clock(60)
    assert day_of(ana, 6).status_code == 200


def test_a_paused_person_is_not_sent_to_google_again(ana, sandbox, google_settings):
    # Production's pacing: a pause longer than the policy would wait is answered, not slept.
    google_settings["GOOGLE_RETRY_BASE_SECONDS"] = 60
    before = sandbox.calls(FREEBUSY)
    assert day_of(ana, 4).status_code == 200
    assert day_of(ana, 5).status_code == 429
    asked = sandbox.calls(FREEBUSY)
    assert asked == before + 2  # the refused one was not retried into the limit

    again = day_of(ana, 6)
    assert again.status_code == 429
    assert 50 <= int(again.headers["Retry-After"]) <= 60
    assert sandbox.calls(FREEBUSY) == asked  # refused here, not by Google


def test_booking_over_the_limit_is_429_with_retry_after_too(
    ana, sandbox, google_settings, colleague
):
    colleague("carol@acme.test")
    google_settings["GOOGLE_RETRY_BASE_SECONDS"] = 60
    assert day_of(ana, 4).status_code == 200
    day = next_weekday(2)
    booked = ana.post(
        "/meetings",
        {"attendees": ["carol@acme.test"], "start": at(day, 10, zone=TORONTO).isoformat(), "duration": 30,
         "title": "Focus"},
    )  # fmt: skip
    assert booked.status_code == 429, booked.json()
    assert booked.json()["error"]["code"] == "calendar_rate_limited"
    assert int(booked.headers["Retry-After"]) >= 1
