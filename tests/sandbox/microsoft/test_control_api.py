"""The Microsoft control API: shapes, and clear 4xx answers for bad input."""

from __future__ import annotations

import pytest
import requests

from workspace_sandbox.client import SandboxError


def test_tenant_app_secret_certificate_shapes(microsoft):
    tenant = microsoft.create_tenant("contoso.test", ["adele@contoso.test"])
    assert set(tenant) >= {"tenant_id", "domain"}
    app = microsoft.create_app(tenant["tenant_id"], "meetbridge")
    secret = microsoft.add_secret(app["client_id"], expires_in_days=-1)
    assert set(secret) >= {"id", "secret", "expires_at"}
    cert = microsoft.add_certificate(app["client_id"])
    assert set(cert) >= {"id", "certificate", "private_key", "thumbprint"}
    assert cert["certificate"].startswith("-----BEGIN CERTIFICATE-----")
    state = microsoft.state()
    assert state["apps"][0]["secrets"][0]["hint"] == secret["secret"][:3]
    assert "secret" not in state["apps"][0]["secrets"][0]  # never the value again


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/tenants", {"domain": "not a domain"}, 422, "invalid_domain"),
        ("/tenants", {"domain": "x.test", "users": ["a@y.test"]}, 422, "wrong_domain"),
        ("/tenants/nope/apps", {"name": "x"}, 404, "unknown_tenant"),
        ("/apps/nope/secrets", {}, 404, "unknown_app"),
        ("/limits", {"concurrent_requests": 0}, 422, "invalid_field"),
    ],
)
def test_bad_input_is_a_clear_4xx(microsoft, path, body, status, code):
    with pytest.raises(SandboxError) as refused:
        microsoft._call("POST" if path != "/limits" else "PUT", path, body)
    assert refused.value.status == status
    assert refused.value.body["error"]["code"] == code


def test_consent_needs_known_permissions(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"], consent=False)
    with pytest.raises(SandboxError) as refused:
        microsoft.grant_consent(setup.tenant_id, setup.client_id, ["Calendars.Everything"])
    assert refused.value.body["error"]["code"] == "unknown_permission"


def test_invalid_json_is_400(microsoft):
    answer = requests.post(f"{microsoft.url}/_sandbox/v1/microsoft/tenants", data="{", timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_json"


def test_reset_forgets_microsoft_too(microsoft, sandbox):
    microsoft.create_tenant("contoso.test")
    sandbox.reset()
    assert microsoft.state()["tenants"] == []
