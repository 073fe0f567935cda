"""Microsoft's own msal, unchanged, against the stand-in: secret and certificate credentials."""

from __future__ import annotations

import jwt
import msal
import pytest

GRAPH = ["https://graph.microsoft.com/.default"]


@pytest.fixture(autouse=True)
def _no_system_bundle(monkeypatch):
    # requests lets these override a session's own `verify`; msal is given the sandbox's CA.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


def _app(setup, microsoft, credential=None, tenant=None):
    return msal.ConfidentialClientApplication(
        setup.client_id,
        authority=f"{microsoft.login_base}/{tenant or setup.tenant_id}",
        client_credential=credential if credential is not None else setup.client_credential,
        instance_discovery=False,
        verify=microsoft.ca_path,
    )


def _roles(result) -> list[str] | None:
    return jwt.decode(result["access_token"], options={"verify_signature": False}).get("roles")


def test_secret_gets_a_token_with_the_consented_roles(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"])
    result = _app(setup, microsoft).acquire_token_for_client(GRAPH)
    assert result["token_type"] == "Bearer"
    assert result["expires_in"] > 3000
    assert "refresh_token" not in result
    assert _roles(result) == ["Calendars.ReadWrite"]


def test_certificate_gets_a_token(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"], credential="certificate")
    result = _app(setup, microsoft).acquire_token_for_client(GRAPH)
    assert "access_token" in result, result


def test_certificate_with_sha1_thumbprint_x5t(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"], credential="certificate")
    legacy = {"private_key": setup.private_key, "thumbprint": setup.thumbprint}
    result = _app(setup, microsoft, legacy).acquire_token_for_client(GRAPH)
    assert "access_token" in result, result


def test_domain_works_as_the_tenant(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"])
    result = _app(setup, microsoft, tenant="contoso.test").acquire_token_for_client(GRAPH)
    assert "access_token" in result, result


def test_the_initial_domain_works_as_the_tenant_with_a_certificate(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"], credential="certificate")
    result = _app(setup, microsoft, tenant="contoso.onmicrosoft.com").acquire_token_for_client(
        GRAPH
    )
    assert "access_token" in result, result


def test_without_consent_the_token_has_no_roles(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"], consent=False)
    result = _app(setup, microsoft).acquire_token_for_client(GRAPH)
    assert _roles(result) is None


def _refusal(result) -> tuple[str, int, str]:
    return result["error"], result["error_codes"][0], result["error_description"]


def test_wrong_secret_is_7000215(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"])
    error, code, text = _refusal(_app(setup, microsoft, "not-it").acquire_token_for_client(GRAPH))
    assert (error, code) == ("invalid_client", 7000215)
    assert text.startswith(
        "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the "
        "request is the client secret value, not the client secret ID, for a secret added to "
        f"app '{setup.client_id}'."
    )
    assert "\r\nTrace ID: " in text and "\r\nCorrelation ID: " in text


def test_expired_secret_is_7000222(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"], expires_in_days=1)
    microsoft.advance_clock(2 * 86400)
    error, code, text = _refusal(_app(setup, microsoft).acquire_token_for_client(GRAPH))
    assert (error, code) == ("invalid_client", 7000222)
    assert f"The provided client secret keys for app '{setup.client_id}' are expired." in text


def test_unknown_client_is_700016(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"])
    setup.client_id = "11111111-2222-3333-4444-555555555555"
    error, code, text = _refusal(_app(setup, microsoft).acquire_token_for_client(GRAPH))
    assert (error, code) == ("unauthorized_client", 700016)
    assert f"Application with identifier '{setup.client_id}' was not found" in text


def test_disabled_app_is_7000112(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"])
    microsoft.disable_app(setup.client_id)
    error, code, text = _refusal(_app(setup, microsoft).acquire_token_for_client(GRAPH))
    assert (error, code) == ("unauthorized_client", 7000112)
    assert f"Application '{setup.client_id}'(meetbridge) is disabled." in text


def test_unregistered_certificate_is_700027(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"], credential="certificate")
    other = microsoft.add_certificate(setup.client_id)
    microsoft.delete_certificate(setup.client_id, other["id"])
    stranger = {"private_key": other["private_key"], "public_certificate": other["certificate"]}
    error, code, text = _refusal(_app(setup, microsoft, stranger).acquire_token_for_client(GRAPH))
    assert (error, code) == ("invalid_client", 700027)
    assert "[Reason - The key was not found., Thumbprint of key used by client: '" in text


def test_unknown_tenant_fails_in_msal_discovery(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"])
    with pytest.raises(ValueError, match="Unable to get authority configuration"):
        _app(setup, microsoft, tenant="fabrikam.test")
