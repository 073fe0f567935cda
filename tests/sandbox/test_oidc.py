"""The sandbox's OpenID Connect side, driven over HTTP as a relying party and a browser would."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests

REDIRECT = "http://app.test/auth/google/callback"
VERIFIER = "v" * 50


def challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


@pytest.fixture
def client(sandbox):
    sandbox.create_workspace("acme.test", ["ana@acme.test"])
    sandbox.add_consumer_account("joe@gmail.test")
    return sandbox.register_oauth_client([REDIRECT])


def auth_params(client, **extra):
    params = {
        "client_id": client["client_id"],
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid email profile",
        "state": "st4te",
        "nonce": "n0nce",
        "code_challenge": challenge(VERIFIER),
        "code_challenge_method": "S256",
    }
    return {**params, **extra}


def choose(sandbox, client, account, **extra):
    """What the browser does: open the chooser, click an address; returns the redirect's query."""
    params = auth_params(client, **extra)
    page = requests.get(f"{sandbox.url}/o/oauth2/v2/auth", params=params, timeout=10)
    assert page.status_code == 200 and account in page.text
    answer = requests.post(
        f"{sandbox.url}/o/oauth2/v2/auth",
        data={**params, "account": account},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def redeem(sandbox, client, code, verifier=VERIFIER, basic=True):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    if verifier:
        form["code_verifier"] = verifier
    auth = None
    if basic:
        auth = (client["client_id"], client["client_secret"])
    else:
        form |= {"client_id": client["client_id"], "client_secret": client["client_secret"]}
    return requests.post(f"{sandbox.url}/token", data=form, auth=auth, timeout=10)


def verified_claims(sandbox, id_token, audience):
    keys = requests.get(f"{sandbox.url}/oauth2/v3/certs", timeout=10).json()["keys"]
    key = jwt.PyJWK(keys[0])
    return jwt.decode(id_token, key, algorithms=["RS256"], audience=audience, issuer=sandbox.url)


def test_discovery_names_this_servers_endpoints(sandbox):
    doc = requests.get(sandbox.discovery_url, timeout=10).json()
    assert doc["issuer"] == sandbox.url
    assert doc["authorization_endpoint"] == f"{sandbox.url}/o/oauth2/v2/auth"
    assert doc["token_endpoint"] == f"{sandbox.url}/token"
    assert doc["jwks_uri"] == f"{sandbox.url}/oauth2/v3/certs"
    assert doc["userinfo_endpoint"] == f"{sandbox.url}/v1/userinfo"
    assert "S256" in doc["code_challenge_methods_supported"]


def test_workspace_user_signs_in_and_gets_a_signed_id_token_with_hd(sandbox, client):
    answer = choose(sandbox, client, "ana@acme.test")
    assert answer["state"] == "st4te"
    response = redeem(sandbox, client, answer["code"])
    assert response.status_code == 200, response.text
    body = response.json()
    claims = verified_claims(sandbox, body["id_token"], client["client_id"])
    assert claims["email"] == "ana@acme.test" and claims["email_verified"] is True
    assert claims["hd"] == "acme.test" and claims["nonce"] == "n0nce"
    assert re.fullmatch(r"\d{21}", claims["sub"])
    assert claims["exp"] > claims["iat"]
    info = requests.get(
        f"{sandbox.url}/v1/userinfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    ).json()
    assert info["sub"] == claims["sub"] and info["hd"] == "acme.test"


def test_consumer_account_has_no_hd_and_client_secret_post_works(sandbox, client):
    answer = choose(sandbox, client, "joe@gmail.test")
    response = redeem(sandbox, client, answer["code"], basic=False)
    claims = verified_claims(sandbox, response.json()["id_token"], client["client_id"])
    assert claims["email"] == "joe@gmail.test" and "hd" not in claims


def test_the_same_account_keeps_its_sub_and_a_recreated_one_gets_a_new_sub(sandbox, client):
    first = redeem(sandbox, client, choose(sandbox, client, "ana@acme.test")["code"]).json()
    again = redeem(sandbox, client, choose(sandbox, client, "ana@acme.test")["code"]).json()
    sub = lambda t: jwt.decode(t["id_token"], options={"verify_signature": False})["sub"]  # noqa: E731
    assert sub(first) == sub(again)
    sandbox.remove_user("acme.test", "ana@acme.test")
    sandbox.add_user("acme.test", "ana@acme.test")
    recreated = redeem(sandbox, client, choose(sandbox, client, "ana@acme.test")["code"]).json()
    assert sub(recreated) != sub(first)


def test_a_code_is_single_use(sandbox, client):
    code = choose(sandbox, client, "ana@acme.test")["code"]
    assert redeem(sandbox, client, code).status_code == 200
    reused = redeem(sandbox, client, code)
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant", "error_description": "Bad Request"}


def test_a_wrong_or_missing_pkce_verifier_is_invalid_grant(sandbox, client):
    wrong = redeem(sandbox, client, choose(sandbox, client, "ana@acme.test")["code"], "w" * 50)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    missing = redeem(sandbox, client, choose(sandbox, client, "ana@acme.test")["code"], None)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_grant"


def test_a_wrong_client_secret_is_invalid_client(sandbox, client):
    code = choose(sandbox, client, "ana@acme.test")["code"]
    response = redeem(sandbox, {**client, "client_secret": "nope"}, code)
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_cancel_sends_access_denied_back_with_the_state(sandbox, client):
    response = requests.post(
        f"{sandbox.url}/o/oauth2/v2/auth",
        data={**auth_params(client), "cancel": "1"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    assert response.headers["location"] == REDIRECT + "?" + urlencode(
        {"error": "access_denied", "state": "st4te"}
    )


def test_an_unregistered_redirect_uri_is_shown_on_the_providers_page_without_redirect(
    sandbox, client
):
    response = requests.get(
        f"{sandbox.url}/o/oauth2/v2/auth",
        params=auth_params(client, redirect_uri="http://evil.test/cb"),
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 400
    assert "Error 400: redirect_uri_mismatch" in response.text
    assert "location" not in response.headers


def test_an_unknown_client_is_refused_on_the_providers_page(sandbox, client):
    response = requests.get(
        f"{sandbox.url}/o/oauth2/v2/auth",
        params=auth_params(client, client_id="nobody.apps.googleusercontent.com"),
        timeout=10,
    )
    assert response.status_code == 401 and "invalid_client" in response.text


def test_the_hd_parameter_only_narrows_the_chooser(sandbox, client):
    page = requests.get(
        f"{sandbox.url}/o/oauth2/v2/auth", params=auth_params(client, hd="acme.test"), timeout=10
    )
    assert "ana@acme.test" in page.text and "joe@gmail.test" not in page.text


def test_id_token_faults_produce_tokens_a_relying_party_must_refuse(sandbox, client):
    sandbox.set_id_token_fault("wrong_audience")
    code = choose(sandbox, client, "ana@acme.test")["code"]
    token = redeem(sandbox, client, code).json()["id_token"]
    with pytest.raises(jwt.InvalidAudienceError):
        verified_claims(sandbox, token, client["client_id"])
    sandbox.set_id_token_fault("tampered")
    code = choose(sandbox, client, "ana@acme.test")["code"]
    token = redeem(sandbox, client, code).json()["id_token"]
    with pytest.raises(jwt.InvalidSignatureError):
        verified_claims(sandbox, token, client["client_id"])


def test_client_registration_validates_redirect_uris(sandbox):
    from workspace_sandbox.client import SandboxError

    with pytest.raises(SandboxError) as refused:
        sandbox.register_oauth_client(["not a url"])
    assert refused.value.status == 422


def test_the_console_lists_oauth_clients_and_personal_accounts(sandbox, client):
    page = requests.get(f"{sandbox.url}/", timeout=10).text
    assert client["client_id"] in page and REDIRECT in page
    assert "joe@gmail.test" in page
    assert client["client_secret"] not in page
