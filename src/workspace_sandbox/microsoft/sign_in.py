"""Sign in with Microsoft (Entra ID's OpenID Connect side, v2.0), as a relying party meets it.

Per authority (a directory's id or domain, or `organizations`, `common`, `consumers`):
discovery (login.py; the multi-tenant ones carry the `{tenantid}` issuer template), an account
chooser at `/{authority}/oauth2/v2.0/authorize` listing the accounts that authority admits, the
authorization-code grant (with PKCE) at the token endpoint beside the client-credentials grant,
and the signing keys at `/{authority}/discovery/v2.0/keys`. ID tokens are v2.0 tokens: `iss`
names the account's home directory, with `tid`, `oid`, a pairwise `sub`, `preferred_username`,
`name`, `nonce`, and `email` when asked for (Microsoft does not vouch for it).

Reproduced for relying parties: Entra's own error page (no redirect) for an unknown directory,
app or redirect URI and a disabled app; an account outside the app's supported account types
(AADSTS50020); Cancel (`access_denied`, AADSTS65004); single-use, expiring codes (AADSTS54005,
AADSTS70008); PKCE mismatch (AADSTS501481). `PUT /_sandbox/v1/microsoft/id-token-fault` makes
the next ID tokens wrong in one chosen way.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .. import oidc
from ..state import SigningKey
from . import errors, login
from .errors import EntraError
from .state import (
    MULTIPLE_ORGS,
    MY_ORG,
    ORGS_AND_PERSONAL,
    PERSONAL_TENANT_ID,
    App,
    Directory,
    Mailbox,
    SignInCode,
)

AUTHORIZATION_CODE = "authorization_code"
CODE_LIFETIME = 600  # Entra's codes live about ten minutes
ID_TOKEN_LIFETIME = 3600
ID_TOKEN_FAULTS = (
    "tampered",
    "foreign_signer",
    "expired",
    "wrong_audience",
    "wrong_issuer",  # `iss` names another directory than `tid`
    "wrong_nonce",
)
AUTH_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "login_hint",
    "domain_hint",
)
PERSONAL_IDP = "live.com"


def signing_key(d: Directory) -> SigningKey:
    if d.signing_key is None:
        d.signing_key = SigningKey.generate()
    return d.signing_key


# --- keys ---------------------------------------------------------------------------------


async def keys(request: Request) -> JSONResponse:
    d = login.directory(request)
    try:
        login.authority_of(d, request.path_params["tenant"])
    except EntraError as refusal:
        return JSONResponse(refusal.body(), status_code=refusal.status)
    return JSONResponse({"keys": [oidc.jwk_of(signing_key(d))]})


# --- the authorization page ---------------------------------------------------------------


class EntraPage(Exception):
    """An error Entra shows on its own page, without sending the browser back."""

    def __init__(self, refusal: EntraError):
        super().__init__(refusal.text)
        self.refusal = refusal


def _app_for(d: Directory, authority: str, params: dict[str, str]) -> App:
    app = d.apps.get(params.get("client_id", "").strip().lower())
    if app is None:
        raise EntraPage(errors.app_not_found(params.get("client_id", ""), authority))
    if params.get("redirect_uri", "") not in app.redirect_uris:
        raise EntraPage(
            EntraError(
                400,
                "invalid_request",
                50011,
                errors.REDIRECT_MISMATCH.format(
                    uri=params.get("redirect_uri", ""), app_id=app.client_id
                ),
            )
        )
    if app.disabled:
        raise EntraPage(errors.app_disabled(app.client_id, app.name))
    return app


def accounts_offered(d: Directory, segment: str) -> list[Mailbox]:
    """The accounts an authority admits to its chooser."""
    if segment == "consumers":
        return list(d.personal_accounts.values())
    if segment in ("organizations", "common"):
        work = [m for t in d.tenants.values() for m in t.mailboxes.values()]
        return work + (list(d.personal_accounts.values()) if segment == "common" else [])
    return list(d.tenants[segment].mailboxes.values())


def _check_admitted(d: Directory, app: App, tenant_id: str, account: Mailbox) -> None:
    """AADSTS50020 when the app's supported account types leave this account out."""
    personal = tenant_id == PERSONAL_TENANT_ID
    allowed = (
        app.sign_in_audience == ORGS_AND_PERSONAL
        or (app.sign_in_audience == MULTIPLE_ORGS and not personal)
        or (app.sign_in_audience == MY_ORG and tenant_id == app.tenant_id)
    )
    if not allowed:
        home = d.tenants.get(app.tenant_id)
        idp = PERSONAL_IDP if personal else f"https://sts.windows.net/{tenant_id}/"
        raise EntraPage(
            EntraError(
                400,
                "invalid_request",
                50020,
                errors.NOT_IN_TENANT.format(
                    email=account.email,
                    idp=idp,
                    tenant=home.domain if home else app.tenant_id,
                    app_id=app.client_id,
                    name=app.name,
                ),
            )
        )


CHOOSER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to your account (Microsoft sandbox)</title>
<style>body{{font-family:"Segoe UI",system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}
.account{{display:block;width:100%;text-align:left;padding:.7rem;margin:.3rem 0 0;font-size:1rem;
background:#fff;border:1px solid #8a8886;cursor:pointer}}.account:hover,.account:focus{{background:#f3f2f1}}
.muted{{color:#555;font-size:.85rem;margin:0 0 .4rem}}</style></head><body>
<main>
<h1>Pick an account</h1>
<p class="muted">to continue to <strong>{app}</strong> (Microsoft Entra ID sandbox)</p>
<form method="post">
{hidden}
<ul style="list-style:none;padding:0">{accounts}</ul>
<p><button type="submit" name="cancel" value="1">Cancel</button></p>
</form>
</main></body></html>
"""

ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title></head>
<body><main><h1>Sorry, but we're having trouble signing you in.</h1>
<p><strong>AADSTS{code}</strong>: {message}</p></main></body></html>
"""


def _directory_of(d: Directory, account: Mailbox) -> str:
    found = d.mailbox_anywhere(account.email)
    return found[0].domain if found else "personal Microsoft account"


def render_chooser(d: Directory, segment: str, app: App, params: dict[str, str]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(params[name])}">'
        for name in AUTH_PARAMS
        if params.get(name)
    )
    offered = accounts_offered(d, segment)
    accounts = (
        "".join(
            f'<li><button class="account" type="submit" name="account" value="{escape(m.email)}">'
            f'{escape(m.email)}</button><p class="muted">{escape(m.display_name)} · '
            f"{escape(_directory_of(d, m))}</p></li>"
            for m in offered
        )
        or "<li>No accounts exist in this directory of the sandbox yet.</li>"
    )
    return CHOOSER.format(app=escape(app.name), hidden=hidden, accounts=accounts)


def _error_page(refusal: EntraError) -> HTMLResponse:
    body = ERROR_PAGE.format(code=refusal.code, message=escape(refusal.text))
    return HTMLResponse(body, status_code=refusal.status)


def _new_code() -> str:
    return "1.A" + secrets.token_urlsafe(90)


async def authorize(request: Request) -> Response:
    d = login.directory(request)
    authority = request.path_params["tenant"]
    if request.method == "POST":
        form = oidc.form_of(await request.body())
        params = {name: form.get(name, "") for name in (*AUTH_PARAMS, "account", "cancel")}
    else:
        params = {name: request.query_params.get(name, "") for name in AUTH_PARAMS}
    try:
        segment, _ = login.authority_of(d, authority)
        app = _app_for(d, authority, params)
    except EntraError as refusal:
        return _error_page(refusal)
    except EntraPage as page:
        return _error_page(page.refusal)
    if params.get("response_type") != "code":
        return oidc.back_to_client(params, error="unsupported_response_type")
    method = params.get("code_challenge_method") or "plain"
    if params.get("code_challenge") and method not in ("plain", "S256"):
        return oidc.back_to_client(params, error="invalid_request")
    if request.method == "GET":
        return HTMLResponse(render_chooser(d, segment, app, params))
    if params.get("cancel"):
        return oidc.back_to_client(
            params, error="access_denied", error_description=f"AADSTS65004: {errors.DECLINED}"
        )
    account = next(
        (m for m in accounts_offered(d, segment) if m.email == params.get("account", "").lower()),
        None,
    )
    if account is None:
        return HTMLResponse(render_chooser(d, segment, app, params), status_code=400)
    tenant_id, _ = d.account(account.email)
    try:
        _check_admitted(d, app, tenant_id, account)
    except EntraPage as page:
        return _error_page(page.refusal)
    code = _new_code()
    d.sign_in_codes[code] = SignInCode(
        client_id=app.client_id,
        redirect_uri=params["redirect_uri"],
        tenant_id=tenant_id,
        object_id=account.object_id,
        scope=params.get("scope", ""),
        nonce=params.get("nonce", ""),
        code_challenge=params.get("code_challenge", ""),
        code_challenge_method=method,
        expires_at=d.clock.now() + CODE_LIFETIME,
    )
    return oidc.back_to_client(params, code=code, session_state=str(uuid.uuid4()))


# --- the code exchange --------------------------------------------------------------------


def _invalid_grant(code: int, text: str) -> EntraError:
    return EntraError(400, "invalid_grant", code, text)


def _client(d: Directory, authority: str, form: dict, basic) -> App:
    client_id = (form.get("client_id") or (basic[0] if basic else "")).strip().lower()
    if not client_id:
        raise EntraError(
            400, "invalid_request", 900144, errors.MISSING_PARAMETER.format(name="client_id")
        )
    app = d.apps.get(client_id)
    if app is None:
        raise errors.app_not_found(client_id, authority)
    if app.disabled:
        raise errors.app_disabled(app.client_id, app.name)
    secret = form.get("client_secret") or (basic[1] if basic else "")
    if not secret:
        raise errors.no_credential()
    login._check_secret(app, secret, d.clock.now())
    return app


def _redeemable(d: Directory, app: App, form: dict, now: float) -> SignInCode:
    value = form.get("code", "")
    if not value:
        raise EntraError(
            400, "invalid_request", 900144, errors.MISSING_PARAMETER.format(name="code")
        )
    if value in d.redeemed_codes:
        raise _invalid_grant(54005, errors.CODE_REDEEMED)
    code = d.sign_in_codes.pop(value, None)  # single use, whatever happens next
    if code is None or code.client_id != app.client_id:
        raise _invalid_grant(9002313, errors.CODE_MALFORMED)
    d.redeemed_codes.add(value)
    if code.expires_at < now:
        raise _invalid_grant(70008, errors.CODE_EXPIRED)
    if form.get("redirect_uri", "") != code.redirect_uri:
        raise _invalid_grant(
            500112,
            errors.REPLY_MISMATCH.format(
                got=form.get("redirect_uri", ""), expected=code.redirect_uri
            ),
        )
    if code.code_challenge and not oidc.verifier_matches(code, form.get("code_verifier", "")):
        raise _invalid_grant(501481, errors.PKCE_MISMATCH)
    return code


def redeem(d: Directory, authority: str, form: dict, basic, base: str) -> dict:
    """Entra's answer to an authorization-code grant, or EntraError with its refusal."""
    now = d.clock.now()
    login.authority_of(d, authority)
    app = _client(d, authority, form, basic)
    code = _redeemable(d, app, form, now)
    account = d.account_by_id(code.tenant_id, code.object_id)
    if account is None:  # deleted between the chooser and the exchange
        raise _invalid_grant(50034, "The user account does not exist in the directory.")
    body = {
        "token_type": "Bearer",
        "scope": code.scope,
        "expires_in": ID_TOKEN_LIFETIME - 1,
        "ext_expires_in": ID_TOKEN_LIFETIME - 1,
        "access_token": "eyJ0eXAiOiJKV1QiLCJub25jZSI6" + secrets.token_urlsafe(60),
    }
    if "openid" in code.scope.split():
        body["id_token"] = id_token(d, app, code, account, base, now)
    return body


def pairwise_subject(object_id: str, client_id: str) -> str:
    """`sub`: the same person gets a different one in every app."""
    digest = hashlib.sha256(f"{object_id}:{client_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:32]).rstrip(b"=").decode()


def claims_of(app: App, code: SignInCode, account: Mailbox, base: str, now: float) -> dict:
    claims = {
        "aud": app.client_id,
        "iss": f"{base}/{code.tenant_id}/v2.0",
        "iat": int(now),
        "nbf": int(now),
        "exp": int(now) + ID_TOKEN_LIFETIME,
        "name": account.display_name,
        "oid": account.object_id,
        "preferred_username": account.email,
        "rh": "0.A" + secrets.token_urlsafe(40),
        "sid": str(uuid.uuid4()),
        "sub": pairwise_subject(account.object_id, app.client_id),
        "tid": code.tenant_id,
        "uti": secrets.token_urlsafe(16),
        "ver": "2.0",
    }
    if "email" in code.scope.split():
        claims["email"] = account.email
    if code.nonce:
        claims["nonce"] = code.nonce
    return claims


def id_token(
    d: Directory, app: App, code: SignInCode, account: Mailbox, base: str, now: float
) -> str:
    fault = d.id_token_fault
    claims = oidc.with_claim_fault(
        claims_of(app, code, account, base, now),
        fault,
        now,
        other_audience=str(uuid.uuid4()),
        other_issuer=f"{base}/{uuid.uuid4()}/v2.0",
    )
    return oidc.signed(claims, signing_key(d), fault, {"oid": str(uuid.uuid4())})


async def token_endpoint(request: Request) -> Response:
    """Both grants of `/{authority}/oauth2/v2.0/token`: sign-in codes here, the app-only
    client-credentials grant in login.py."""
    form = oidc.form_of(await request.body())
    if form.get("grant_type") != AUTHORIZATION_CODE:
        return await login.token_endpoint(request)
    try:
        body = redeem(
            login.directory(request),
            request.path_params["tenant"],
            form,
            login._basic_auth(request.headers.get("authorization")),
            login.login_base(request),
        )
    except EntraError as refusal:
        return JSONResponse(refusal.body(), status_code=refusal.status)
    return JSONResponse(body, headers={"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})


routes = [
    Route(f"{login.LOGIN}/{{tenant}}/oauth2/v2.0/authorize", authorize, methods=["GET", "POST"]),
    Route(f"{login.LOGIN}/{{tenant}}/oauth2/v2.0/token", token_endpoint, methods=["POST"]),
    Route(f"{login.LOGIN}/{{tenant}}/discovery/v2.0/keys", keys, methods=["GET"]),
]
