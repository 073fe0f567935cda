"""The token endpoint's wire format: Entra's error body, scopes, credentials, metadata."""

from __future__ import annotations

import base64

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def test_unknown_tenant_is_90002_with_the_full_error_body(graph):
    response = graph.token_request(
        tenant="nowhere.test", client_id=graph.setup.client_id, client_secret=graph.setup.secret,
        scope=GRAPH_SCOPE, grant_type="client_credentials",
    )  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_tenant"
    assert body["error_codes"] == [90002]
    assert body["error_description"].startswith(
        "AADSTS90002: Tenant 'nowhere.test' not found. Check to make sure you have the correct "
        "tenant ID and are signing into the correct cloud."
    )
    assert body["error_uri"] == "https://login.microsoftonline.com/error?code=90002"
    assert {"timestamp", "trace_id", "correlation_id"} <= set(body)


def test_unknown_tenant_metadata_is_refused_too(graph):
    url = f"{graph.microsoft.login_base}/nowhere.test/v2.0/.well-known/openid-configuration"
    response = graph.http.get(url)
    assert response.status_code == 400
    assert response.json()["error_codes"] == [90002]


def test_metadata_names_the_token_endpoint_by_tenant_id(graph):
    url = f"{graph.microsoft.login_base}/contoso.test/v2.0/.well-known/openid-configuration"
    config = graph.http.get(url).json()
    assert config["token_endpoint"] == (
        f"{graph.microsoft.login_base}/{graph.setup.tenant_id}/oauth2/v2.0/token"
    )


def test_every_domain_of_a_directory_has_metadata_naming_it_by_id(graph):
    base, tid = graph.microsoft.login_base, graph.setup.tenant_id
    for domain in ("contoso.test", "Contoso.onmicrosoft.com"):
        config = graph.http.get(f"{base}/{domain}/v2.0/.well-known/openid-configuration").json()
        assert config["issuer"] == f"{base}/{tid}/v2.0"
        assert config["authorization_endpoint"] == f"{base}/{tid}/oauth2/v2.0/authorize"
        assert config["jwks_uri"] == f"{base}/{tid}/discovery/v2.0/keys"


def test_initial_domains_are_unique_across_directories(microsoft):
    first = microsoft.create_tenant("fabrikam.test")
    second = microsoft.create_tenant("fabrikam.example")
    assert first["initial_domain"] == "fabrikam.onmicrosoft.com"
    assert second["initial_domain"] == "fabrikam2.onmicrosoft.com"


def test_only_one_default_scope_is_accepted(graph):
    for scope in ("https://graph.microsoft.com/Calendars.Read", f"{GRAPH_SCOPE} openid"):
        response = graph.token_request(
            client_id=graph.setup.client_id, client_secret=graph.setup.secret,
            scope=scope, grant_type="client_credentials",
        )  # fmt: skip
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_scope"
        assert response.json()["error_codes"] == [70011]


def test_no_credential_is_7000218(graph):
    response = graph.token_request(
        client_id=graph.setup.client_id, scope=GRAPH_SCOPE, grant_type="client_credentials"
    )
    assert response.status_code == 401
    assert response.json()["error_codes"] == [7000218]


def test_secret_in_basic_auth_works(graph):
    raw = f"{graph.setup.client_id}:{graph.setup.secret}".encode()
    url = f"{graph.microsoft.login_base}/{graph.setup.tenant_id}/oauth2/v2.0/token"
    response = graph.http.post(
        url,
        data={"scope": GRAPH_SCOPE, "grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(raw).decode()},
    )
    assert response.status_code == 200
    assert set(response.json()) >= {"token_type", "expires_in", "access_token"}


def test_a_rotated_secret_keeps_working_until_deleted(graph, microsoft):
    old = next(iter(microsoft.state()["apps"][0]["secrets"]))
    microsoft.add_secret(graph.setup.client_id)
    assert graph.new_token()
    microsoft.delete_secret(graph.setup.client_id, old["id"])
    response = graph.token_request(
        client_id=graph.setup.client_id, client_secret=graph.setup.secret,
        scope=GRAPH_SCOPE, grant_type="client_credentials",
    )  # fmt: skip
    assert response.json()["error_codes"] == [7000215]


def test_tls_route_gives_the_https_url_and_the_authority(microsoft):
    tls = microsoft.tls
    assert tls["https_url"].startswith("https://127.0.0.1:")
    assert tls["ca_certificate"].startswith("-----BEGIN CERTIFICATE-----")


def test_tokens_expire_on_the_sandbox_clock(graph, microsoft):
    assert graph.call("GET", "/users/adele@contoso.test/events").status_code == 200
    microsoft.advance_clock(3700)
    response = graph.call("GET", "/users/adele@contoso.test/events")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "InvalidAuthenticationToken"
