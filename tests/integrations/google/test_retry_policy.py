"""Which Google answers are retried, and how long meetbridge waits in between."""

from __future__ import annotations

import pytest

from meetbridge.integrations.backoff import RetryPolicy
from meetbridge.integrations.http import FINAL, SLOW_DOWN, TRY_AGAIN, parse_retry_after
from meetbridge.integrations.providers.google.retry import classify, is_retryable


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (500, "backendError"),
        (503, ""),
        (429, ""),
        (403, "rateLimitExceeded"),
        (403, "userRateLimitExceeded"),
    ],
)
def test_google_documents_these_as_retryable(status, reason):
    assert is_retryable(status, reason)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (403, "quotaExceeded"),
        (403, "accessNotConfigured"),
        (400, "invalid"),
        (401, "authError"),
        (404, "notFound"),
        (409, "duplicate"),
    ],
)
def test_everything_else_is_final(status, reason):
    assert not is_retryable(status, reason)


def google_error(reason: str) -> dict:
    return {"error": {"errors": [{"reason": reason, "domain": "usageLimits"}]}}


@pytest.mark.parametrize(
    ("status", "reason", "verdict"),
    [
        (429, "rateLimitExceeded", SLOW_DOWN),
        (403, "userRateLimitExceeded", SLOW_DOWN),
        (503, "backendError", TRY_AGAIN),
        (403, "quotaExceeded", FINAL),
        (404, "notFound", FINAL),
    ],
)
def test_google_states_for_the_shared_loop_which_answers_slow_down_or_retry(
    status, reason, verdict
):
    assert classify(status, google_error(reason)) == verdict


def test_the_policy_reads_a_providers_settings():
    options = {"GOOGLE_RETRY_ATTEMPTS": "2", "GOOGLE_RETRY_BASE_SECONDS": "0.1"}
    assert RetryPolicy.from_options(options, "GOOGLE") == RetryPolicy(2, 0.1, 8.0)


def test_waits_grow_exponentially_with_jitter_and_are_bounded():
    policy = RetryPolicy(max_attempts=10, base_delay=0.5, max_delay=8.0)
    lowest = [policy.delay(n, lambda: 0.0) for n in range(1, 8)]
    highest = [policy.delay(n, lambda: 1.0) for n in range(1, 8)]
    assert lowest[:5] == [0.25, 0.5, 1.0, 2.0, 4.0]
    assert highest[:5] == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert max(highest) == 8.0


def test_retry_after_is_honoured_up_to_the_bound():
    policy = RetryPolicy(base_delay=0.5, max_delay=8.0)
    assert policy.delay(1, lambda: 0.0, retry_after=3.0) == 3.0
    assert policy.delay(1, lambda: 0.0, retry_after=120.0) == 8.0


def test_attempts_are_bounded():
    policy = RetryPolicy(max_attempts=3)
    assert not policy.gives_up_after(2)
    assert policy.gives_up_after(3)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("2", 2.0), (" 1.5 ", 1.5), (None, None), ("soon", None), ("-1", None), ("99999", None)],
)
def test_retry_after_header(header, seconds):
    assert parse_retry_after(header) == seconds
