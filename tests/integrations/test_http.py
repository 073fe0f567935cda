"""The provider-neutral HTTP pieces: Retry-After, pools per CA bundle, calls as the audit sees them."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from meetbridge.integrations.http import parse_retry_after, pooled_session, report_call

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


def test_a_provider_with_its_own_certificate_authority_gets_its_own_pool(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    own = pooled_session(str(bundle))
    assert own is pooled_session(str(bundle))
    assert own is not pooled_session()
    assert own.verify == str(bundle) and own.trust_env is False  # the environment cannot override


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
