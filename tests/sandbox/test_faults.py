"""Injected faults, as Google's clients experience them."""

from __future__ import annotations

import json
import time

import pytest
from google.auth.transport.requests import Request
from googleapiclient.errors import HttpError

from tests.sandbox.google_clients import calendar, credentials
from workspace_sandbox.client import SandboxError

ANA = "ana@acme.test"
MEETING = {
    "id": "meeting00001",
    "start": {"dateTime": "2030-01-07T10:00:00Z"},
    "end": {"dateTime": "2030-01-07T10:30:00Z"},
}


@pytest.fixture
def setup(sandbox):
    return sandbox.quick_setup("acme.test", [ANA])


@pytest.fixture
def ana(sandbox, setup):
    service = calendar(sandbox, setup.key, ANA)
    service.events().list(calendarId="primary").execute()  # token fetched before faults start
    return service


def http_error(call) -> HttpError:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value


def test_error_responses_with_googles_backend_error_body(sandbox, ana):
    sandbox.set_faults(error_rate=1.0, error_status=503)
    error = http_error(ana.events().list(calendarId="primary"))
    assert error.resp.status == 503
    assert json.loads(error.content)["error"]["errors"][0] == {
        "domain": "global",
        "reason": "backendError",
        "message": "Backend Error",
    }
    sandbox.clear_faults()
    ana.events().list(calendarId="primary").execute()


def test_a_failed_request_changes_nothing(sandbox, ana):
    sandbox.set_faults(error_rate=1.0)
    http_error(ana.events().insert(calendarId="primary", body=MEETING))
    assert sandbox.events_of(ANA) == []


def test_a_limited_number_of_faults_lets_googles_retry_succeed(sandbox, ana):
    sandbox.set_faults(error_rate=1.0, error_status=500, times=1)
    listing = ana.events().list(calendarId="primary").execute(num_retries=1)
    assert listing["items"] == []
    assert sandbox.state()["faults"]["times"] == 0


def test_rate_limit_status_gives_googles_rate_limit_body(sandbox, ana):
    sandbox.set_faults(error_rate=1.0, error_status=429)
    error = http_error(ana.events().list(calendarId="primary"))
    assert error.resp.status == 429
    assert json.loads(error.content)["error"]["errors"][0]["reason"] == "rateLimitExceeded"


def test_a_lost_response_after_the_insert_was_made(sandbox, ana):
    sandbox.set_faults(lose_response_rate=1.0, times=1)
    error = http_error(ana.events().insert(calendarId="primary", body=MEETING))
    assert error.resp.status == 503
    assert [e["id"] for e in sandbox.events_of(ANA)] == ["meeting00001"]  # it was made
    retry = http_error(ana.events().insert(calendarId="primary", body=MEETING))
    assert retry.resp.status == 409  # a retry with the same id is safe


def test_latency_delays_the_answer(sandbox, ana):
    sandbox.set_faults(latency_ms=300)
    started = time.monotonic()
    ana.events().list(calendarId="primary").execute()
    assert time.monotonic() - started >= 0.3


def test_an_answer_held_back_comes_after_the_change_was_made(sandbox, ana):
    """What a caller killed while waiting leaves behind: the event exists all the same."""
    sandbox.set_faults(answer_latency_ms=300, paths=["/calendar/v3/calendars/*/events"])
    started = time.monotonic()
    ana.events().insert(calendarId="primary", body=MEETING).execute()
    assert time.monotonic() - started >= 0.3
    assert [e["id"] for e in sandbox.events_of(ANA)] == ["meeting00001"]


def test_paths_and_methods_limit_where_faults_apply(sandbox, ana):
    sandbox.set_faults(error_rate=1.0, paths=["/calendar/v3/freeBusy"])
    ana.events().list(calendarId="primary").execute()
    body = {"timeMin": "2030-01-07T00:00:00Z", "timeMax": "2030-01-08T00:00:00Z", "items": []}
    assert http_error(ana.freebusy().query(body=body)).resp.status == 503
    sandbox.set_faults(error_rate=1.0, paths=["/calendar/v3/calendars/*/events"], methods=["post"])
    ana.events().list(calendarId="primary").execute()
    assert http_error(ana.events().insert(calendarId="primary", body=MEETING)).resp.status == 503


def test_the_control_api_and_console_are_never_faulty(sandbox):
    sandbox.set_faults(error_rate=1.0, latency_ms=0)
    assert sandbox.state()["faults"]["error_rate"] == 1.0
    import requests

    assert requests.get(sandbox.url + "/").status_code == 200


def test_token_endpoint_faults_are_retried_by_google_auth(sandbox, setup):
    sandbox.set_faults(error_rate=1.0, paths=["/token"], times=1)
    creds = credentials(setup.key, ANA)
    creds.refresh(Request())  # google-auth retries an internal_failure
    assert creds.valid


def test_a_lost_token_response_still_issued_a_token(sandbox, setup):
    sandbox.set_faults(lose_response_rate=1.0, paths=["/token"], times=1)
    credentials(setup.key, ANA).refresh(Request())


@pytest.mark.parametrize(
    "faults",
    [
        {"error_rate": 2},
        {"error_status": 200},
        {"latency_ms": -1},
        {"answer_latency_ms": 60_001},
        {"paths": "/token"},
        {"surprise": 1},
        {"_dice": 1},
        {"error_statuses": [200]},
        {"error_statuses": 503},
        {"retry_after_seconds": -1},
        {"retry_after_seconds": True},
        {"seed": "seven"},
    ],
)
def test_invalid_fault_settings_are_refused(sandbox, faults):
    with pytest.raises(SandboxError) as caught:
        sandbox.set_faults(**faults)
    assert caught.value.status == 422
    assert caught.value.body["error"]["code"] == "invalid_faults"
