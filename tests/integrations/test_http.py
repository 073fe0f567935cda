"""The provider-neutral HTTP pieces: Retry-After, pools per CA bundle, calls as the audit sees them."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
import requests

from meetbridge.integrations.backoff import PersonBackoff, RetryPolicy
from meetbridge.integrations.http import (
    FINAL,
    SLOW_DOWN,
    TRY_AGAIN,
    HttpProvider,
    parse_retry_after,
    report_call,
)
from meetbridge.integrations.provider import ProviderError
from meetbridge.integrations.tokens import TokenCache

NOW = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        ("Mon, 07 Jan 2030 10:00:30 GMT", 30.0),  # Graph and proxies may send a date
        ("Mon, 07 Jan 2030 09:59:00 GMT", 0.0),  # already past: go now
        ("Tue, 08 Jan 2030 10:00:00 GMT", None),  # a day: not worth waiting in a request
        ("later", None),
        ("", None),
    ],
)
def test_retry_after_in_seconds_or_as_a_date(header, seconds):
    assert parse_retry_after(header, now=NOW) == seconds


def test_a_call_is_reported_once_with_its_attempts_and_never_more():
    records = []
    report_call(
        records.append,
        operation="calendar.events.insert",
        subject="ana@acme.test",
        outcome="ok",
        started=time.monotonic(),
        attempts=3,
        status=200,
        detail="2 attendees",
    )
    (record,) = records
    assert record.detail == "HTTP 200, 3 attempts, 2 attendees"
    assert record.outcome == "ok" and record.subject_email == "ana@acme.test"


# --- the one call-with-retries loop every provider shares -------------------------------------


class FakeAnswer:
    def __init__(self, status: int, body: dict | None = None, retry_after: str | None = None):
        self.status_code, self._body = status, body
        self.content = json.dumps(body).encode() if body is not None else b""
        self.headers = {"Retry-After": retry_after} if retry_after is not None else {}

    def json(self):
        return self._body


class Scripted(HttpProvider):
    """A provider whose answers are a script: statuses, bodies, or `None` for no answer."""

    def __init__(self, *answers, **shared) -> None:
        self.slept: list[float] = []
        super().__init__(
            credential_key="test", config=type("Config", (), {"retry": POLICY}),
            tokens=TokenCache(), sleep=self.slept.append, backoff=PersonBackoff(), **shared,
        )  # fmt: skip
        self.answers, self.sent, self.records = list(answers), [], []
        self._observe = self.records.append

    def _url(self, path):
        return f"https://api.test{path}"

    def _token_key(self, subject):
        return ("test", subject)

    def _fetch_token(self, subject, observe):
        return f"token-{len(self.sent)}", 3600.0

    def _send(self, call, token):
        self.sent.append(token)
        answer = self.answers.pop(0)
        if answer is None:
            raise requests.ConnectionError("no answer")
        return answer

    def _classify(self, status, data):
        return SLOW_DOWN if status == 429 else TRY_AGAIN if status >= 500 else FINAL

    def _refused(self, call, status, data):
        code = "rate_limited" if status == 429 else "provider_error"
        return ProviderError(code, f"refused {status}", retryable=True)

    def _unreachable(self, call):
        return ProviderError("unreachable", "no answer", retryable=True)

    def _malformed(self, call, status):
        return ProviderError("provider_error", "malformed")


POLICY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05)


def test_passing_trouble_is_retried_and_reported_once_with_its_attempts():
    provider = Scripted(FakeAnswer(503, {}), FakeAnswer(429, {}, "0"), FakeAnswer(200, {"ok": 1}))
    assert provider._call("op", "GET", "/x", "ana@acme.test") == (200, {"ok": 1})
    [record] = provider.records
    assert (record.outcome, record.detail) == ("ok", "HTTP 200, 3 attempts")


def test_a_pause_longer_than_the_policy_waits_is_answered_not_waited_out():
    provider = Scripted(FakeAnswer(429, {}, "30"))
    with pytest.raises(ProviderError) as refused:
        provider._call("op", "GET", "/x", "ana@acme.test")
    assert refused.value.code == "rate_limited" and refused.value.retry_after == 30
    # Another call for the same person is not even sent while the pause lasts.
    with pytest.raises(ProviderError) as held_back:
        provider._call("op", "GET", "/x", "ana@acme.test")
    assert held_back.value.retry_after > 29 and len(provider.sent) == 1
    assert provider.records[-1].detail == "no answer, not sent: backing off"


def test_after_an_answer_that_never_came_a_create_looks_for_what_it_made():
    provider = Scripted(None)
    found = {"id": "made-by-the-first-attempt"}
    status, data = provider._call("op", "POST", "/events", "ana@acme.test", reconcile=lambda: found)
    assert (status, data) == (200, found) and len(provider.sent) == 1
    assert provider.records[-1].detail == "HTTP 200, 2 attempts, found after a lost answer"


def test_a_rejected_token_is_renewed_once_then_the_refusal_stands():
    provider = Scripted(FakeAnswer(401, {}), FakeAnswer(401, {}))
    with pytest.raises(ProviderError):
        provider._call("op", "GET", "/x", "ana@acme.test")
    assert provider.sent == ["token-0", "token-1"]  # a new token for the second attempt


def test_a_final_refusal_is_not_retried_and_accepted_statuses_are_answers():
    provider = Scripted(FakeAnswer(400, {}), FakeAnswer(404, {}))
    with pytest.raises(ProviderError):
        provider._call("op", "GET", "/x", "ana@acme.test")
    assert provider._call("op", "GET", "/x", "ana@acme.test", accept=(404,))[0] == 404
    assert [r.outcome for r in provider.records] == ["provider_error", "not_found"]
