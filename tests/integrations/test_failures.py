"""One table from a provider failure to the HTTP status, the same on every route. Pure."""

from __future__ import annotations

import pytest

from meetbridge.integrations.api import provider_error
from meetbridge.integrations.backoff import PersonBackoff
from meetbridge.integrations.failures import http_status, retry_after_seconds
from meetbridge.integrations.provider import NotConnected, ProviderError
from meetbridge.meetings.errors import calendar_failure

FAILURES = [
    (NotConnected(), 409),
    (ProviderError("rate_limited", "slow down", retryable=True), 429),
    (ProviderError("quota_exceeded", "enough today", retryable=True), 429),
    (ProviderError("unreachable", "down", retryable=True), 503),
    (ProviderError("google_error", "500", retryable=True), 503),
    (ProviderError("delegation_missing", "no grant", retryable=True, fix="Step 2"), 502),
    (ProviderError("api_disabled", "off", retryable=True, fix="enable it"), 502),
    (ProviderError("key_invalid", "bad key", fix="new key"), 502),
]


@pytest.mark.parametrize(("error", "status"), FAILURES, ids=[e.code for e, _ in FAILURES])
def test_availability_and_booking_answer_the_same_status(error, status):
    assert http_status(error) == status
    assert provider_error(error).status == status
    assert calendar_failure(error).status == status


def test_over_the_limit_says_when_to_come_back_on_every_route():
    error = ProviderError("rate_limited", "slow down", retryable=True, retry_after=2.2)
    assert retry_after_seconds(error) == 3
    assert provider_error(error).headers == {"Retry-After": "3"}
    assert calendar_failure(error).headers == {"Retry-After": "3"}
    unnamed = ProviderError("quota_exceeded", "enough today", retryable=True)
    assert calendar_failure(unnamed).headers == {"Retry-After": "3600"}


def test_the_providers_own_trouble_says_when_to_try_again_and_a_setup_problem_does_not():
    down = ProviderError("unreachable", "down", retryable=True)
    assert provider_error(down).headers == {"Retry-After": "5"}
    assert calendar_failure(down).headers == {"Retry-After": "5"}
    named = ProviderError("microsoft_error", "503", retryable=True, retry_after=12)
    assert calendar_failure(named).headers == {"Retry-After": "12"}
    no_grant = ProviderError("delegation_missing", "no grant", retryable=True, fix="Step 2")
    assert provider_error(no_grant).headers == {}
    assert calendar_failure(no_grant).headers == {}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_person_is_paused_longer_each_time_in_a_row_and_freed_by_a_success():
    clock = Clock()
    backoff = PersonBackoff(clock=clock)
    ana, ben = ("cred:1", "ana@acme.test"), ("cred:1", "ben@acme.test")
    assert backoff.limited(ana, first=1) == 1
    assert backoff.remaining(ana) == 1 and backoff.remaining(ben) == 0
    assert backoff.limited(ana, first=1) == 1  # a concurrent call's news: the same pause
    clock.now += 1
    assert backoff.remaining(ana) == 0
    assert backoff.limited(ana, first=1) == 2
    clock.now += 2
    assert backoff.limited(ana, retry_after=30, first=1) == 30  # Google's own wait wins
    clock.now += 30
    backoff.succeeded(ana)
    assert backoff.limited(ana, first=1) == 1
    clock.now += 1000
    assert backoff.limited(ana, first=1000) == 60  # never more than a minute
