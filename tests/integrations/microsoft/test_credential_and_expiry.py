"""Checking what the admin pastes, and when to warn before it expires. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.integrations.expiry import due_audit, threshold_reached, warning
from meetbridge.integrations.providers.microsoft.credential import CredentialError, parse_credential
from workspace_sandbox.microsoft.control import issue_certificate
from workspace_sandbox.microsoft.state import App

NOW = datetime(2030, 1, 1, tzinfo=UTC)
TENANT, CLIENT = "8f1c7a2e-1111-4b2b-9c3d-000000000001", "0a1b2c3d-2222-4e5f-8a9b-000000000002"


def certificate(days=365):
    _, cert, key = issue_certificate(App(client_id=CLIENT, name="mb", tenant_id=TENANT), NOW, days)
    return cert, key


def test_secret_is_accepted_and_kept_apart_from_public_fields():
    parsed = parse_credential(
        {"tenant_id": "Contoso.com", "client_id": CLIENT.upper(), "client_secret": "abc8Q~x", "expires_at": "2030-06-01"},
        now=NOW,
    )  # fmt: skip
    assert parsed.public() == {
        "tenant_id": "contoso.com", "client_id": CLIENT, "credential": "secret",
        "expires_at": "2030-06-01T00:00:00+00:00",
    }  # fmt: skip
    assert "abc8Q~x" not in repr(parsed) and "abc8Q~x" not in str(parsed.public())
    assert parsed.secret["client_secret"] == "abc8Q~x"


def test_certificate_gives_its_own_expiry_and_thumbprint():
    cert, key = certificate(days=90)
    parsed = parse_credential({"tenant_id": TENANT, "client_id": CLIENT, "certificate": cert, "private_key": key}, now=NOW)  # fmt: skip
    assert parsed.kind == "certificate"
    assert parsed.expires_at == datetime(2030, 4, 1, tzinfo=UTC)
    assert len(parsed.thumbprint) == 40 and parsed.secret_id == parsed.thumbprint
    assert "PRIVATE" not in str(parsed.public())


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("text", "invalid_credential"),
        ({"tenant_id": "nope", "client_id": CLIENT, "client_secret": "s"}, "invalid_tenant_id"),
        ({"tenant_id": TENANT, "client_id": "app", "client_secret": "s"}, "invalid_client_id"),
        ({"tenant_id": TENANT, "client_id": CLIENT}, "invalid_credential"),
        ({"tenant_id": TENANT, "client_id": CLIENT, "client_secret": TENANT}, "secret_id_not_value"),
        ({"tenant_id": TENANT, "client_id": CLIENT, "client_secret": "s", "expires_at": "2029-01-01"}, "credential_expired"),
        ({"tenant_id": TENANT, "client_id": CLIENT, "client_secret": "s", "expires_at": "soon"}, "invalid_expiry"),
        ({"tenant_id": TENANT, "client_id": CLIENT, "certificate": "x", "private_key": "y"}, "invalid_certificate"),
        ({"tenant_id": TENANT, "client_id": CLIENT, "client_secret": "s", "extra": 1}, "invalid_credential"),
    ],
)  # fmt: skip
def test_bad_credentials_are_refused_saying_what_to_fix(raw, code):
    with pytest.raises(CredentialError) as refused:
        parse_credential(raw, now=NOW)
    assert refused.value.code == code


def test_a_key_of_another_certificate_is_refused():
    cert, _ = certificate()
    _, other_key = certificate()
    with pytest.raises(CredentialError) as refused:
        parse_credential({"tenant_id": TENANT, "client_id": CLIENT, "certificate": cert, "private_key": other_key}, now=NOW)  # fmt: skip
    assert refused.value.code == "key_mismatch"
    assert "BEGIN" not in refused.value.message


@pytest.mark.parametrize(
    ("left", "threshold"),
    [(timedelta(days=31), None), (timedelta(days=30), 30), (timedelta(days=8), 30),
     (timedelta(days=7), 7), (timedelta(hours=23), 1), (timedelta(0), 0), (timedelta(days=-3), 0)],
)  # fmt: skip
def test_thresholds(left, threshold):
    assert threshold_reached(NOW + left, NOW) == threshold


def test_banner_and_audit_once_per_threshold():
    expires = NOW + timedelta(days=6, hours=2)
    assert "in 7 days" in warning(expires, NOW, "Microsoft 365 app credential", "Microsoft")
    assert warning(None, NOW) is None
    assert due_audit(expires, NOW, last_warned_days=None) == 7
    assert due_audit(expires, NOW, last_warned_days=30) == 7
    assert due_audit(expires, NOW, last_warned_days=7) is None
    assert "expired" in warning(NOW - timedelta(days=1), NOW)
