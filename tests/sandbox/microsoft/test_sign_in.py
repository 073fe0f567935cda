"""The Microsoft stand-in's sign-in side (Entra ID's OpenID Connect v2.0), driven over HTTPS as
a relying party and a browser would: discovery per authority, the chooser, the code grant with
PKCE, v2.0 ID tokens, and the refusals a relying party meets."""

from __future__ import annotations

import base64
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

REDIRECT = "http://app.test/sign-in/microsoft/callback"
VERIFIER = "v" * 50
PERSONAL = "9188040d-6c67-4c5b-b112-36a304b66dad"


def challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def https(microsoft):
    session = requests.Session()
    session.trust_env = False
    session.verify = microsoft.ca_path
    return session


@pytest.fixture
def world(microsoft):
    """Contoso (the app's home), Fabrikam (another directory), one personal account."""
    contoso = microsoft.create_tenant("contoso.test", ["adele@contoso.test", "lee@contoso.test"])
    fabrikam = microsoft.create_tenant("fabrikam.test", ["fay@fabrikam.test"])
    microsoft.add_personal_account("joe@outlook.test", name="Joe Bloggs")
    app = microsoft.sign_in_app(contoso["tenant_id"], [REDIRECT])
    return {"contoso": contoso, "fabrikam": fabrikam, "app": app}


def auth_params(app, **extra):
    params = {
        "client_id": app["client_id"],
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid email profile",
        "state": "st4te",
        "nonce": "n0nce",
        "code_challenge": challenge(VERIFIER),
        "code_challenge_method": "S256",
    }
    return {**params, **extra}


def authorize_url(microsoft, authority="organizations"):
    return f"{microsoft.login_base}/{authority}/oauth2/v2.0/authorize"


def choose(https, microsoft, app, account, authority="organizations", **extra):
    """Opens the chooser, clicks an account; returns the redirect back (or the error page)."""
    params = auth_params(app, **extra)
    page = https.get(authorize_url(microsoft, authority), params=params)
    assert page.status_code == 200, page.text
    return https.post(
        authorize_url(microsoft, authority),
        data={**params, "account": account},
        allow_redirects=False,
    )


def code_from(answer) -> str:
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["state"] == "st4te" and "session_state" in query
    return query["code"]


def redeem(https, microsoft, app, code, authority="organizations", **overrides):
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": VERIFIER,
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        **overrides,
    }
    url = f"{microsoft.login_base}/{authority}/oauth2/v2.0/token"
    return https.post(url, data={k: v for k, v in form.items() if v is not None})


def claims_of(https, microsoft, id_token, audience):
    keys = https.get(f"{microsoft.login_base}/organizations/discovery/v2.0/keys").json()["keys"]
    return jwt.decode(id_token, jwt.PyJWK(keys[0]), algorithms=["RS256"], audience=audience)


def test_organizations_discovery_has_the_tenantid_template_issuer(https, microsoft):
    config = https.get(microsoft.discovery_url("organizations")).json()
    base = microsoft.login_base
    assert config["issuer"] == f"{base}/{{tenantid}}/v2.0"
    assert config["authorization_endpoint"] == f"{base}/organizations/oauth2/v2.0/authorize"
    assert config["token_endpoint"] == f"{base}/organizations/oauth2/v2.0/token"
    assert config["jwks_uri"] == f"{base}/organizations/discovery/v2.0/keys"
    assert {"tid", "preferred_username", "nonce"} <= set(config["claims_supported"])


def test_a_directorys_discovery_names_its_own_issuer(https, microsoft, world):
    tid = world["contoso"]["tenant_id"]
    config = https.get(microsoft.discovery_url("contoso.test")).json()
    assert config["issuer"] == f"{microsoft.login_base}/{tid}/v2.0"
    consumers = https.get(microsoft.discovery_url("consumers")).json()
    assert consumers["issuer"] == f"{microsoft.login_base}/{PERSONAL}/v2.0"


def test_a_code_becomes_a_v2_id_token_of_the_accounts_directory(https, microsoft, world):
    app = world["app"]
    response = redeem(https, microsoft, app, code_from(choose(https, microsoft, app, "fay@fabrikam.test")))  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and {"access_token", "id_token"} <= set(body)
    claims = claims_of(https, microsoft, body["id_token"], app["client_id"])
    tid = world["fabrikam"]["tenant_id"]
    assert claims["tid"] == tid
    assert claims["iss"] == f"{microsoft.login_base}/{tid}/v2.0"
    fay = next(u for u in microsoft.state()["tenants"] if u["tenant_id"] == tid)["users"][0]
    assert claims["oid"] == fay["id"]
    assert claims["preferred_username"] == claims["email"] == "fay@fabrikam.test"
    assert claims["nonce"] == "n0nce" and claims["ver"] == "2.0" and claims["name"] == "Fay"
    assert claims["sub"] != claims["oid"]  # pairwise per app


def test_authlib_works_against_it_unchanged(https, microsoft, world):
    """Authlib's own OAuth 2 session (PKCE, client_secret_basic) and its ID-token claims."""
    app = world["app"]
    config = https.get(microsoft.discovery_url()).json()
    session = OAuth2Session(
        app["client_id"], app["client_secret"], scope="openid email profile",
        redirect_uri=REDIRECT, code_challenge_method="S256", verify=microsoft.ca_path,
    )  # fmt: skip
    session.trust_env = False
    url, state = session.create_authorization_url(
        config["authorization_endpoint"], code_verifier=VERIFIER, nonce="n0nce"
    )
    assert https.get(url).status_code == 200
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    answer = https.post(url.split("?")[0], data={**query, "account": "adele@contoso.test"}, allow_redirects=False)  # fmt: skip
    token = session.fetch_token(
        config["token_endpoint"], authorization_response=answer.headers["location"],
        code_verifier=VERIFIER, state=state,
    )  # fmt: skip
    keys = KeySet.import_key_set(https.get(config["jwks_uri"]).json())
    decoded = jose_jwt.decode(token["id_token"], keys)
    claims = CodeIDToken(
        decoded.claims, decoded.header, {"aud": {"essential": True, "value": app["client_id"]}},
        {"nonce": "n0nce", "client_id": app["client_id"], "access_token": token["access_token"]},
    )  # fmt: skip
    claims.validate()
    assert claims["tid"] == world["contoso"]["tenant_id"]


def test_a_directory_authority_offers_only_its_own_users(https, microsoft, world):
    page = https.get(authorize_url(microsoft, "fabrikam.test"), params=auth_params(world["app"]))
    assert "fay@fabrikam.test" in page.text and "adele@contoso.test" not in page.text
    organizations = https.get(authorize_url(microsoft), params=auth_params(world["app"])).text
    assert "adele@contoso.test" in organizations and "joe@outlook.test" not in organizations
    common = https.get(authorize_url(microsoft, "common"), params=auth_params(world["app"])).text
    assert "joe@outlook.test" in common


def test_a_personal_account_gets_the_consumer_tid_when_the_app_admits_it(https, microsoft, world):
    app = world["app"]
    refused = choose(https, microsoft, app, "joe@outlook.test", authority="common")
    assert refused.status_code == 400 and "AADSTS50020" in refused.text
    microsoft.set_authentication(app["client_id"], [REDIRECT], "AzureADandPersonalMicrosoftAccount")
    code = code_from(choose(https, microsoft, app, "joe@outlook.test", authority="common"))
    claims = claims_of(https, microsoft, redeem(https, microsoft, app, code, "common").json()["id_token"], app["client_id"])  # fmt: skip
    assert claims["tid"] == PERSONAL and claims["iss"].endswith(f"/{PERSONAL}/v2.0")


def test_a_single_directory_app_refuses_other_directories(https, microsoft, world):
    app = world["app"]
    microsoft.set_authentication(app["client_id"], [REDIRECT], "AzureADMyOrg")
    refused = choose(https, microsoft, app, "fay@fabrikam.test")
    assert refused.status_code == 400 and "AADSTS50020" in refused.text
    assert code_from(choose(https, microsoft, app, "lee@contoso.test"))


def test_an_unregistered_redirect_uri_is_entras_own_page_not_a_redirect(https, microsoft, world):
    params = auth_params(world["app"], redirect_uri="http://evil.test/callback")
    page = https.get(authorize_url(microsoft), params=params, allow_redirects=False)
    assert page.status_code == 400 and "AADSTS50011" in page.text and "location" not in page.headers


def test_an_unknown_app_or_directory_is_refused_on_the_page(https, microsoft, world):
    unknown = auth_params(world["app"], client_id="00000000-0000-0000-0000-000000000000")
    assert "AADSTS700016" in https.get(authorize_url(microsoft), params=unknown).text
    nowhere = https.get(authorize_url(microsoft, "nowhere.test"), params=auth_params(world["app"]))
    assert "AADSTS90002" in nowhere.text


def test_cancel_goes_back_with_access_denied(https, microsoft, world):
    params = auth_params(world["app"])
    answer = https.post(authorize_url(microsoft), data={**params, "cancel": "1"}, allow_redirects=False)  # fmt: skip
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["access_denied"] and "AADSTS65004" in query["error_description"][0]


def test_codes_are_single_use(https, microsoft, world):
    app = world["app"]
    code = code_from(choose(https, microsoft, app, "adele@contoso.test"))
    assert redeem(https, microsoft, app, code).status_code == 200
    again = redeem(https, microsoft, app, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert again.json()["error_codes"] == [54005]


def test_a_code_expires_on_the_sandbox_clock(https, microsoft, world):
    app = world["app"]
    code = code_from(choose(https, microsoft, app, "adele@contoso.test"))
    microsoft.advance_clock(601)
    late = redeem(https, microsoft, app, code)
    assert late.status_code == 400 and late.json()["error_codes"] == [70008]


def test_a_wrong_pkce_verifier_or_secret_is_refused(https, microsoft, world):
    app = world["app"]
    code = code_from(choose(https, microsoft, app, "adele@contoso.test"))
    wrong = redeem(https, microsoft, app, code, code_verifier="w" * 50)
    assert wrong.json()["error"] == "invalid_grant" and wrong.json()["error_codes"] == [501481]
    code = code_from(choose(https, microsoft, app, "adele@contoso.test"))
    bad_secret = redeem(https, microsoft, app, code, client_secret="nope")
    assert bad_secret.status_code == 401 and bad_secret.json()["error_codes"] == [7000215]


def test_a_renamed_user_keeps_their_oid(https, microsoft, world):
    app = world["app"]
    first = redeem(https, microsoft, app, code_from(choose(https, microsoft, app, "lee@contoso.test"))).json()  # fmt: skip
    microsoft.rename_user("lee@contoso.test", "lee.jones@contoso.test")
    second = redeem(https, microsoft, app, code_from(choose(https, microsoft, app, "lee.jones@contoso.test"))).json()  # fmt: skip
    before = claims_of(https, microsoft, first["id_token"], app["client_id"])
    after = claims_of(https, microsoft, second["id_token"], app["client_id"])
    assert before["oid"] == after["oid"] and after["preferred_username"] == "lee.jones@contoso.test"


@pytest.mark.parametrize(
    "fault",
    ["tampered", "foreign_signer", "expired", "wrong_audience", "wrong_issuer", "wrong_nonce"],
)
def test_id_token_faults_make_the_token_wrong_in_that_way(https, microsoft, world, fault):
    app = world["app"]
    microsoft.set_id_token_fault(fault)
    code = code_from(choose(https, microsoft, app, "adele@contoso.test"))
    token = redeem(https, microsoft, app, code).json()["id_token"]
    unverified = jwt.decode(token, options={"verify_signature": False})
    if fault in ("tampered", "foreign_signer"):
        with pytest.raises(jwt.InvalidSignatureError):
            claims_of(https, microsoft, token, app["client_id"])
    elif fault == "wrong_issuer":
        assert unverified["iss"] != f"{microsoft.login_base}/{unverified['tid']}/v2.0"
    elif fault == "wrong_nonce":
        assert unverified["nonce"] != "n0nce"
    elif fault == "wrong_audience":
        assert unverified["aud"] != app["client_id"]
    else:
        assert unverified["exp"] < time.time()


def test_an_unknown_fault_is_refused(microsoft):
    from workspace_sandbox.client import SandboxError

    with pytest.raises(SandboxError) as refused:
        microsoft.set_id_token_fault("made_up")
    assert refused.value.status == 422
