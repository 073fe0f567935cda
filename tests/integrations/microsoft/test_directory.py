"""A directory's GUID from its domain: Microsoft's discovery document read (pure), and hostile
values for tenant_id refused before any request is built from them (a real listener shows that
nothing reached it)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from meetbridge.integrations.models import Credential
from meetbridge.integrations.provider import CredentialError
from meetbridge.integrations.providers.microsoft.directory import (
    directory_id,
    discovery_url,
    read_answer,
)

TID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
CLIENT = "0a1b2c3d-2222-4e5f-8a9b-000000000002"
# Microsoft's document for a directory's own domain (shortened): the GUID in every endpoint.
DOCUMENT = {
    "token_endpoint": f"https://login.microsoftonline.com/{TID}/oauth2/v2.0/token",
    "jwks_uri": f"https://login.microsoftonline.com/{TID}/discovery/v2.0/keys",
    "issuer": f"https://login.microsoftonline.com/{TID}/v2.0",
    "authorization_endpoint": f"https://login.microsoftonline.com/{TID}/oauth2/v2.0/authorize",
    "tenant_region_scope": "WW",
}
# Entra's answer for a domain no directory has (trace ids shortened).
UNKNOWN = (
    b'{"error":"invalid_tenant","error_description":"AADSTS90002: Tenant \'nope.example\' not '
    b"found. Check to make sure you have the correct tenant ID and are signing into the correct "
    b'cloud.\\r\\nTrace ID: 0a\\r\\nCorrelation ID: 0b\\r\\nTimestamp: 2026-11-30 10:00:00Z",'
    b'"error_codes":[90002],"timestamp":"2026-11-30 10:00:00Z","trace_id":"0a",'
    b'"correlation_id":"0b","error_uri":"https://login.microsoftonline.com/error?code=90002"}'
)


def test_the_directory_id_is_the_guid_in_issuer_and_token_endpoint():
    assert directory_id(DOCUMENT) == TID
    upper = {k: v.replace(TID, TID.upper()) for k, v in DOCUMENT.items()}
    assert directory_id(upper) == TID


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {},
        {"issuer": DOCUMENT["issuer"]},
        {**DOCUMENT, "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"},
        {**DOCUMENT, "token_endpoint": DOCUMENT["token_endpoint"].replace("72f9", "0000")},
        {
            "issuer": "https://login.microsoftonline.com/contoso.com/v2.0",
            "token_endpoint": "https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token",
        },
        {"issuer": 7, "token_endpoint": ["x"]},
    ],
    ids=["null", "list", "empty", "no token endpoint", "template", "differing", "domain", "types"],
)
def test_a_document_naming_no_single_guid_names_no_directory(document):
    with pytest.raises(ValueError):
        directory_id(document)


def test_the_discovery_url_is_that_of_the_domains_authority():
    assert (
        discovery_url("https://login.microsoftonline.com/", "contoso.com")
        == "https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration"
    )


def test_an_unknown_domain_is_told_as_what_to_fix_without_microsofts_trace():
    with pytest.raises(CredentialError) as refused:
        read_answer("nope.example", 400, UNKNOWN)
    assert refused.value.code == "tenant_unknown"
    assert "nope.example" in refused.value.message and "AADSTS90002" in refused.value.message
    assert "Overview page" in refused.value.message and "Trace ID" not in refused.value.message


def test_the_domain_of_personal_accounts_is_no_organisations_directory():
    personal = "9188040d-6c67-4c5b-b112-36a304b66dad"
    document = {k: v.replace(TID, personal) for k, v in DOCUMENT.items()}
    import json

    with pytest.raises(CredentialError) as refused:
        read_answer("outlook.com", 200, json.dumps(document).encode())
    assert refused.value.code == "tenant_personal"


@pytest.mark.parametrize(
    ("status", "body"),
    [(503, b"<html>busy</html>"), (429, b"{}"), (200, b"not json"), (200, b'{"issuer": "x"}')],
)
def test_other_answers_say_to_try_again_or_use_the_guid(status, body):
    with pytest.raises(CredentialError) as refused:
        read_answer("contoso.com", status, body)
    assert refused.value.code == "tenant_lookup_failed"
    assert "Nothing was saved" in refused.value.message and "GUID" in refused.value.message


# --- no request built from a hostile value ------------------------------------------------------


@pytest.fixture
def listener():
    """A real HTTP server standing where Microsoft's login would be; it records each request
    line and answers Entra's unknown-tenant refusal."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(self.path)
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(UNKNOWN)))
            self.end_headers()
            self.wfile.write(UNKNOWN)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/login", seen
    server.shutdown()
    server.server_close()


HOSTILE = [
    "a" * 300 + ".com",
    "../../admin",
    "contoso.com/../organizations",
    "contoso.com?x=1",
    "contoso.com#frag",
    "contoso .com",
    "contoso.com/v2.0",
    "%2e%2e%2fcommon",
    "common",
    "organizations",
    "contoso\u2028.com",
    "contoso.com\nevil.test",
    "contoso.com\x00",
    "http://evil.test",
    "xn--contoso.com@evil.test",
]


@pytest.mark.django_db
def test_hostile_tenant_ids_are_refused_before_any_request(settings, admin_api, admin, listener):
    base, seen = listener
    settings.MEETBRIDGE = {**settings.MEETBRIDGE, "MICROSOFT_LOGIN_BASE": base}
    body = {"provider": "microsoft", "client_id": CLIENT, "client_secret": "abc8Q~secretvalue"}
    for hostile in HOSTILE:
        response = admin_api.put("/integration", {**body, "tenant_id": hostile})
        assert response.status_code == 422, hostile
        assert response.json()["error"]["code"] in (
            "invalid_tenant_id",
            "invalid_credential",
            "invalid_request",
        )
        assert "abc8Q~secretvalue" not in response.text
    assert seen == []
    assert not Credential.objects.exists()

    # The same listener does hear a well-formed domain: the silence above means something.
    response = admin_api.put("/integration", {**body, "tenant_id": "nope.example"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "tenant_unknown"
    assert seen == ["/login/nope.example/v2.0/.well-known/openid-configuration"]
