"""The control API (the consoles' steps), the HTML console, and concurrent clients."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

import pytest
import requests
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from googleapiclient.errors import HttpError

from tests.sandbox.google_clients import CALENDAR, calendar
from workspace_sandbox.client import SandboxError

KEY_FIELDS = {
    "type", "project_id", "private_key_id", "private_key", "client_email", "client_id", "auth_uri",
    "token_uri", "auth_provider_x509_cert_url", "client_x509_cert_url", "universe_domain",
}  # fmt: skip


def failure(call, *args, **kwargs) -> SandboxError:
    with pytest.raises(SandboxError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_key_file_is_shaped_like_googles_download(sandbox):
    sandbox.create_project("acme-calendar")
    account = sandbox.create_service_account("acme-calendar", "meetbridge")
    assert account["client_email"] == "meetbridge@acme-calendar.iam.gserviceaccount.com"
    assert re.fullmatch(r"\d{21}", account["client_id"])
    key = sandbox.create_key(account["client_email"])
    assert set(key) == KEY_FIELDS
    assert key["type"] == "service_account" and key["project_id"] == "acme-calendar"
    assert (
        key["client_email"] == account["client_email"] and key["client_id"] == account["client_id"]
    )
    assert re.fullmatch(r"[0-9a-f]{40}", key["private_key_id"])
    assert key["private_key"].startswith("-----BEGIN PRIVATE KEY-----\n")  # PKCS#8
    assert load_pem_private_key(key["private_key"].encode(), None).key_size == 2048
    assert key["token_uri"] == sandbox.url + "/token"
    assert key["auth_uri"] == "https://accounts.google.com/o/oauth2/auth"
    assert key["auth_provider_x509_cert_url"] == "https://www.googleapis.com/oauth2/v1/certs"
    assert unquote(key["client_x509_cert_url"]).endswith(
        "/robot/v1/metadata/x509/" + account["client_email"]
    )
    assert key["universe_domain"] == "googleapis.com"


def test_state_never_shows_private_keys(sandbox):
    setup = sandbox.quick_setup("acme.test", ["ana@acme.test"])
    state = sandbox.state()
    assert setup.key["private_key"] not in str(state)
    assert state["service_accounts"][0]["private_key_ids"] == [setup.key["private_key_id"]]
    assert state["workspaces"][0]["delegations"] == [
        {"client_id": setup.client_id, "scopes": [CALENDAR]}
    ]


def test_reset_forgets_everything(sandbox):
    sandbox.quick_setup("acme.test", ["ana@acme.test"])
    sandbox.set_faults(latency_ms=5)
    sandbox.reset()
    state = sandbox.state()
    assert state["workspaces"] == state["projects"] == state["service_accounts"] == []
    assert state["faults"]["latency_ms"] == 0


@pytest.mark.parametrize(
    ("call", "args", "status", "code"),
    [
        ("create_workspace", ("not a domain",), 422, "invalid_domain"),
        ("create_workspace", ("acme.test", ["ana@globex.test"]), 422, "wrong_domain"),
        ("add_user", ("nowhere.test", "x@nowhere.test"), 404, "unknown_workspace"),
        ("create_project", ("X",), 422, "invalid_project_id"),
        ("create_service_account", ("no-such-project", "meetbridge"), 404, "unknown_project"),
        ("create_key", ("nobody@p.iam.gserviceaccount.com",), 404, "unknown_service_account"),
        (
            "grant_delegation",
            ("acme.test", "123", ["https://www.googleapis.com/auth/nonsense"]),
            404,
            "unknown_workspace",
        ),
        ("events_of", ("nobody@acme.test",), 404, "unknown_user"),
        ("advance_clock", (-1,), 422, "invalid_field"),
        ("advance_clock", ("soon",), 422, "invalid_field"),
    ],
)
def test_bad_control_requests_say_what_to_fix(sandbox, call, args, status, code):
    error = failure(getattr(sandbox, call), *args)
    assert error.status == status and error.body["error"]["code"] == code
    assert error.body["error"]["message"]


def test_the_clock_moves_only_forward_and_a_reset_puts_it_back(sandbox):
    before = sandbox.advance_clock(0)
    after = sandbox.advance_clock(90)
    assert after["offset_seconds"] == 90 and after["now"] >= before["now"] + 90
    sandbox.reset()
    assert sandbox.advance_clock(0)["offset_seconds"] == 0


def test_duplicates_are_409(sandbox):
    sandbox.quick_setup("acme.test", ["ana@acme.test"], project_id="acme-calendar")
    assert failure(sandbox.create_workspace, "acme.test").status == 409
    assert failure(sandbox.add_user, "acme.test", "ana@acme.test").status == 409
    assert failure(sandbox.create_project, "acme-calendar").status == 409
    assert failure(sandbox.create_service_account, "acme-calendar", "calendar-sync").status == 409


def test_unknown_scopes_cannot_be_delegated(sandbox):
    setup = sandbox.quick_setup("acme.test", ["ana@acme.test"], delegate=False)
    error = failure(
        sandbox.grant_delegation, "acme.test", setup.client_id, ["https://example.com/x"]
    )
    assert error.status == 422 and error.body["error"]["code"] == "unknown_scope"


def test_seeded_events_are_inspectable_and_bad_ones_refused(sandbox):
    sandbox.create_workspace("acme.test", ["ana@acme.test", "ben@acme.test"])
    event = {
        "id": "seeded0001",
        "start": {"dateTime": "2030-01-07T10:00:00Z"},
        "end": {"dateTime": "2030-01-07T11:00:00Z"},
        "attendees": [{"email": "ben@acme.test"}],
    }
    created = sandbox.seed_event("ana@acme.test", event)
    assert created["id"] == "seeded0001"
    assert [e["id"] for e in sandbox.events_of("ben@acme.test")] == ["seeded0001"]
    assert (
        sandbox.respond("ben@acme.test", "seeded0001", "tentative")["attendees"][0][
            "responseStatus"
        ]
        == "tentative"
    )
    assert failure(sandbox.seed_event, "ana@acme.test", event).body["error"]["code"] == "duplicate"
    assert failure(sandbox.respond, "ben@acme.test", "seeded0001", "maybe").status == 400
    assert (
        failure(sandbox.respond, "ana@acme.test", "seeded0001", "accepted").status == 400
    )  # not an attendee


def test_the_console_lists_everything_and_authorises_delegation(sandbox):
    setup = sandbox.quick_setup("acme.test", ["ana@acme.test"], delegate=False)
    page = requests.get(sandbox.url + "/").text
    for shown in (
        "acme.test",
        "ana@acme.test",
        setup.project_id,
        setup.client_email,
        setup.client_id,
    ):
        assert shown in page
    assert setup.key["private_key"].splitlines()[1] not in page

    answer = requests.post(
        sandbox.url + "/console/delegation",
        data={"domain": "acme.test", "client_id": setup.client_id, "scopes": CALENDAR},
    )
    assert answer.status_code == 200 and "is authorised in acme.test" in answer.text
    calendar(sandbox, setup.key, "ana@acme.test").events().list(calendarId="primary").execute()


def test_the_console_refuses_a_bad_client_id(sandbox):
    sandbox.create_workspace("acme.test", ["ana@acme.test"])
    answer = requests.post(
        sandbox.url + "/console/delegation",
        data={"domain": "acme.test", "client_id": "abc", "scopes": CALENDAR},
    )
    assert "numeric Unique ID" in answer.text
    assert sandbox.state()["workspaces"][0]["delegations"] == []


def test_the_console_switches_the_calendar_api(sandbox):
    setup = sandbox.quick_setup("acme.test", ["ana@acme.test"])
    requests.post(
        sandbox.url + "/console/calendar-api",
        data={"project_id": setup.project_id, "enabled": "false"},
    )
    assert sandbox.state()["projects"][0]["calendar_api_enabled"] is False
    with pytest.raises(HttpError) as caught:
        calendar(sandbox, setup.key, "ana@acme.test").events().list(calendarId="primary").execute()
    assert caught.value.resp.status == 403


def test_concurrent_clients_see_one_consistent_calendar(sandbox):
    setup = sandbox.quick_setup("acme.test", ["ana@acme.test"])
    contested = {
        "id": "contested01",
        "start": {"dateTime": "2030-01-07T10:00:00Z"},
        "end": {"dateTime": "2030-01-07T11:00:00Z"},
    }

    def insert(n):
        service = calendar(sandbox, setup.key, "ana@acme.test")  # httplib2 is not thread-safe
        own = contested | {"id": f"mine{n:05d}"}
        service.events().insert(calendarId="primary", body=own).execute()
        try:
            service.events().insert(calendarId="primary", body=contested).execute()
            return "created"
        except HttpError as error:
            return error.resp.status

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(insert, range(16)))
    assert sorted(outcomes, key=str) == [409] * 15 + ["created"]
    assert len(sandbox.events_of("ana@acme.test")) == 17
