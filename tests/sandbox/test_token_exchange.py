"""The token endpoint through google-auth, unchanged: every refusal in Google's words."""

from __future__ import annotations

import time
from datetime import timedelta

import google.auth._helpers
import pytest
from google.auth import crypt, jwt
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2 import _client

from tests.sandbox.google_clients import CALENDAR, credentials

UNAUTHORIZED = (
    "Client is unauthorized to retrieve access tokens using this method, "
    "or client not authorized for any of the scopes requested."
)
TIMEFRAME = (
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
    "Check your iat and exp values in the JWT claim."
)


@pytest.fixture
def setup(sandbox):
    return sandbox.quick_setup("acme.test", ["ana@acme.test", "ben@acme.test"])


def refuse(key, subject="ana@acme.test", scopes=(CALENDAR,)) -> RefreshError:
    with pytest.raises(RefreshError) as caught:
        credentials(key, subject, scopes).refresh(Request())
    return caught.value


def assert_refusal(error: RefreshError, code: str, description: str) -> None:
    assert error.args[0] == f"{code}: {description}"
    assert error.args[1] == {"error": code, "error_description": description}


def test_a_delegated_token_is_issued_in_googles_shape(sandbox, setup):
    import requests

    creds = credentials(setup.key, "ana@acme.test")
    creds.refresh(Request())
    assert creds.valid and creds.token.startswith("ya29.")
    # The wire answer itself, with the assertion google-auth would send.
    assertion = creds._make_authorization_grant_assertion()
    answer = requests.post(
        setup.key["token_uri"],
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
    )
    assert answer.status_code == 200
    assert set(answer.json()) == {"access_token", "expires_in", "token_type"}
    assert answer.json()["expires_in"] == 3599 and answer.json()["token_type"] == "Bearer"


def test_subject_email_is_case_insensitive(setup):
    credentials(setup.key, "Ana@ACME.test").refresh(Request())


def test_client_not_authorised_for_delegation_at_all(sandbox):
    setup = sandbox.quick_setup("acme.test", ["ana@acme.test"], delegate=False)
    assert_refusal(refuse(setup.key), "unauthorized_client", UNAUTHORIZED)
    err = refuse(setup.key)
    assert err.retryable is False


def test_client_authorised_but_not_for_the_requested_scope(sandbox):
    setup = sandbox.quick_setup(
        "acme.test", ["ana@acme.test"], scopes=["https://www.googleapis.com/auth/calendar.readonly"]
    )
    assert_refusal(refuse(setup.key), "unauthorized_client", UNAUTHORIZED)
    credentials(
        setup.key, "ana@acme.test", ["https://www.googleapis.com/auth/calendar.readonly"]
    ).refresh(Request())


def test_every_requested_scope_must_be_granted(setup):
    scopes = [CALENDAR, "https://www.googleapis.com/auth/gmail.readonly"]
    assert_refusal(refuse(setup.key, scopes=scopes), "unauthorized_client", UNAUTHORIZED)


def test_revoked_delegation_stops_new_tokens(sandbox, setup):
    sandbox.revoke_delegation("acme.test", setup.client_id)
    assert_refusal(refuse(setup.key), "unauthorized_client", UNAUTHORIZED)


def test_delegation_takes_effect_after_its_propagation_delay(sandbox):
    setup = sandbox.quick_setup("acme.test", ["ana@acme.test"], delegate=False)
    # Half an hour either side of the moment: real seconds spent on a slow machine move the
    # sandbox's clock too, and must not decide the outcome.
    sandbox.grant_delegation("acme.test", setup.client_id, [CALENDAR], propagation_seconds=3600)
    assert_refusal(refuse(setup.key), "unauthorized_client", UNAUTHORIZED)
    sandbox.advance_clock(1800)
    assert_refusal(refuse(setup.key), "unauthorized_client", UNAUTHORIZED)
    sandbox.advance_clock(1800)
    credentials(setup.key, "ana@acme.test").refresh(Request())


@pytest.mark.parametrize("subject", ["nobody@acme.test", "ana@elsewhere.test", "not-an-email"])
def test_subject_not_a_user_of_a_workspace_domain(setup, subject):
    assert_refusal(refuse(setup.key, subject), "invalid_grant", "Invalid email or User ID")


def test_removed_user_is_no_longer_a_valid_subject(sandbox, setup):
    sandbox.remove_user("acme.test", "ben@acme.test")
    assert_refusal(refuse(setup.key, "ben@acme.test"), "invalid_grant", "Invalid email or User ID")


def test_deleted_key(sandbox, setup):
    sandbox.delete_key(setup.client_email, setup.key["private_key_id"])
    assert_refusal(refuse(setup.key), "invalid_grant", "Invalid JWT Signature.")


def test_other_keys_of_the_account_keep_working_after_one_is_deleted(sandbox, setup):
    second = sandbox.create_key(setup.client_email)
    sandbox.delete_key(setup.client_email, setup.key["private_key_id"])
    credentials(second, "ana@acme.test").refresh(Request())


def test_wrong_signature(sandbox, setup):
    stranger = sandbox.create_service_account(setup.project_id, "stranger")
    forged = dict(
        setup.key, private_key=sandbox.create_key(stranger["client_email"])["private_key"]
    )
    assert_refusal(refuse(forged), "invalid_grant", "Invalid JWT Signature.")


def test_clock_too_far_ahead(setup, monkeypatch):
    ahead = google.auth._helpers.utcnow() + timedelta(minutes=20)
    monkeypatch.setattr(google.auth._helpers, "utcnow", lambda: ahead)
    assert_refusal(refuse(setup.key), "invalid_grant", TIMEFRAME)


def test_clock_so_far_behind_that_the_assertion_expired(setup, monkeypatch):
    behind = google.auth._helpers.utcnow() - timedelta(hours=2)
    monkeypatch.setattr(google.auth._helpers, "utcnow", lambda: behind)
    assert_refusal(refuse(setup.key), "invalid_grant", TIMEFRAME)


def test_assertion_living_longer_than_an_hour(setup):
    now = int(time.time())
    claims = {
        "iss": setup.client_email,
        "sub": "ana@acme.test",
        "scope": CALENDAR,
        "aud": "https://oauth2.googleapis.com/token",
        "iat": now,
        "exp": now + 3601,
    }
    signer = crypt.RSASigner.from_service_account_info(setup.key)
    assertion = jwt.encode(signer, claims).decode()
    with pytest.raises(RefreshError) as caught:
        _client.jwt_grant(Request(), setup.key["token_uri"], assertion)
    assert_refusal(caught.value, "invalid_grant", TIMEFRAME)


def test_assertion_for_another_audience(setup):
    now = int(time.time())
    claims = {"iss": setup.client_email, "sub": "ana@acme.test", "scope": CALENDAR,
              "aud": "https://example.com/token", "iat": now, "exp": now + 3600}  # fmt: skip
    assertion = jwt.encode(crypt.RSASigner.from_service_account_info(setup.key), claims).decode()
    with pytest.raises(RefreshError) as caught:
        _client.jwt_grant(Request(), setup.key["token_uri"], assertion)
    assert_refusal(caught.value, "invalid_grant", "Invalid JWT: Failed audience check.")


@pytest.mark.parametrize("scopes", [[], ["https://www.googleapis.com/auth/not-a-scope"]])
def test_empty_or_unknown_scope(setup, scopes):
    assert_refusal(
        refuse(setup.key, scopes=scopes),
        "invalid_scope",
        "Invalid OAuth scope or ID token audience provided.",
    )


def test_disabled_service_account(sandbox, setup):
    sandbox.disable_service_account(setup.client_email)
    assert_refusal(refuse(setup.key), "disabled_client", "The OAuth client was disabled.")
    sandbox.disable_service_account(setup.client_email, disabled=False)
    credentials(setup.key, "ana@acme.test").refresh(Request())


def test_deleted_service_account(sandbox, setup):
    sandbox.delete_service_account(setup.client_email)
    assert_refusal(refuse(setup.key), "deleted_client", "The OAuth client was deleted.")


def test_without_a_subject_the_account_acts_as_itself(setup):
    creds = credentials(setup.key, None)
    creds.refresh(Request())
    assert creds.valid


def test_other_grant_types_are_refused(setup):
    import requests

    answer = requests.post(setup.key["token_uri"], data={"grant_type": "password"})
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "unsupported_grant_type",
        "error_description": "Invalid grant_type: password",
    }
