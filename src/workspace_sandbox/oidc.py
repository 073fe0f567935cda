"""Google's OpenID Connect side ("Sign in with Google"), as a relying party meets it.

Discovery at `/.well-known/openid-configuration`, an account chooser at `/o/oauth2/v2/auth`
(the person clicks their address, or Cancel), the authorization-code grant at `POST /token`
(beside the service accounts' JWT-bearer grant in tokens.py), RS256 keys at `/oauth2/v3/certs`
and `/v1/userinfo`. Every URL names this server's own host, so a client configured with the
discovery URL alone finds the rest.

What a relying party must cope with is reproduced: single-use codes (a reused one is
`invalid_grant`), PKCE verifier mismatch (`invalid_grant`), Cancel (`error=access_denied` back to
the client), an unregistered redirect URI (Google's own error page, no redirect), and `hd`
present only for Workspace accounts. `PUT /_sandbox/v1/oidc/id-token-fault` makes the next ID
tokens wrong in one chosen way, so a relying party's refusals can be tested end to end.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from html import escape
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from . import google_errors as errors
from .google_errors import TokenError
from .ids import new_access_token, new_authorization_code
from .state import AuthorizationCode, SigningKey, User, World

AUTHORIZATION_CODE = "authorization_code"
CODE_LIFETIME = 600
ID_TOKEN_LIFETIME = 3600
ID_TOKEN_FAULTS = (
    "tampered",  # the payload changed after signing
    "foreign_signer",  # signed by a key that is not in the JWKS (same kid)
    "expired",
    "wrong_audience",
    "wrong_issuer",
    "wrong_nonce",
    "email_not_verified",
)
CACHE_KEYS = "public, max-age=21600, must-revalidate, no-transform"


def issuer_of(request: Request) -> str:
    return str(request.base_url).rstrip("/")


# --- discovery and keys -------------------------------------------------------------------


async def discovery(request: Request) -> JSONResponse:
    base = issuer_of(request)
    return JSONResponse(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/o/oauth2/v2/auth",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/v1/userinfo",
            "jwks_uri": f"{base}/oauth2/v3/certs",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": [
                "aud",
                "email",
                "email_verified",
                "exp",
                "iat",
                "iss",
                "sub",
                "hd",
                "nonce",
            ],
            "code_challenge_methods_supported": ["plain", "S256"],
            "grant_types_supported": [
                AUTHORIZATION_CODE,
                "urn:ietf:params:oauth:grant-type:jwt-bearer",
            ],
        }
    )


def jwk_of(key: SigningKey) -> dict:
    """The public half of a signing key, as a JWKS lists it."""
    public = serialization.load_pem_private_key(key.private_pem, password=None).public_key()
    jwk = json.loads(RSAAlgorithm.to_jwk(public))
    return {**jwk, "kid": key.key_id, "alg": "RS256", "use": "sig"}


def public_jwk(world: World) -> dict:
    return jwk_of(world.id_token_key())


async def certs(request: Request) -> JSONResponse:
    world: World = request.app.state.world
    return JSONResponse({"keys": [public_jwk(world)]}, headers={"Cache-Control": CACHE_KEYS})


# --- the authorization page ---------------------------------------------------------------

AUTH_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "hd",
    "login_hint",
    "prompt",
)


class ProviderPageError(Exception):
    """An error Google shows on its own page, without sending the browser back."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def check_request(world: World, params: dict[str, str]) -> None:
    """Refusals shown on the provider's page: the client or its redirect URI cannot be trusted."""
    client = world.oauth_clients.get(params.get("client_id", ""))
    if client is None:
        raise ProviderPageError(401, "invalid_client", "The OAuth client was not found.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        raise ProviderPageError(
            400,
            "redirect_uri_mismatch",
            f"The redirect URI in the request, {redirect_uri}, does not match the ones "
            "authorized for the OAuth client.",
        )
    if not params.get("scope", "").strip():
        raise ProviderPageError(400, "invalid_request", "Missing required parameter: scope")
    method = params.get("code_challenge_method", "")
    if params.get("code_challenge") and method not in ("", "plain", "S256"):
        raise ProviderPageError(400, "invalid_request", f"Invalid code_challenge_method: {method}")


def back_to_client(params: dict[str, str], **answer: str) -> RedirectResponse:
    query = dict(answer)
    if params.get("state"):
        query["state"] = params["state"]
    separator = "&" if "?" in params["redirect_uri"] else "?"
    return RedirectResponse(params["redirect_uri"] + separator + urlencode(query), status_code=302)


def accounts_offered(world: World, hd_hint: str) -> list[User]:
    """The chooser's accounts; the `hd` parameter only narrows the list (a hint, not a check)."""
    workspace = world.workspaces.get(hd_hint.lower()) if hd_hint else None
    if workspace is not None:
        return list(workspace.users.values())
    users = [u for w in world.workspaces.values() for u in w.users.values()]
    return users + list(world.consumer_accounts.values())


CHOOSER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - Google Accounts (sandbox)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}
.account{{display:block;width:100%;text-align:left;padding:.7rem;margin:.3rem 0;font-size:1rem;
background:#fff;border:1px solid #bbb;border-radius:6px;cursor:pointer}}
.account:hover,.account:focus{{background:#eef3fe}}.muted{{color:#555}}</style></head><body>
<main>
<h1>Choose an account</h1>
<p class="muted">to continue to <strong>{client}</strong> (Google Workspace sandbox)</p>
<form method="post" action="/o/oauth2/v2/auth">
{hidden}
<ul style="list-style:none;padding:0">{accounts}</ul>
<p><button type="submit" name="cancel" value="1">Cancel</button></p>
</form>
</main></body></html>
"""

ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Error {status}: {code}</title></head>
<body><main><h1>Access blocked: this app's request is invalid</h1>
<p><strong>Error {status}: {code}</strong></p><p>{message}</p></main></body></html>
"""


def render_chooser(world: World, params: dict[str, str]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(params[name])}">'
        for name in AUTH_PARAMS
        if params.get(name)
    )
    offered = accounts_offered(world, params.get("hd", ""))
    accounts = (
        "".join(
            f'<li><button class="account" type="submit" name="account" value="{escape(u.email)}">'
            f"{escape(u.email)}</button></li>"
            for u in offered
        )
        or "<li>No Google accounts exist in the sandbox yet.</li>"
    )
    return CHOOSER.format(client=escape(params["client_id"]), hidden=hidden, accounts=accounts)


def _error_page(error: ProviderPageError) -> HTMLResponse:
    body = ERROR_PAGE.format(
        status=error.status, code=escape(error.code), message=escape(error.message)
    )
    return HTMLResponse(body, status_code=error.status)


async def authorize(request: Request) -> Response:
    world: World = request.app.state.world
    if request.method == "POST":
        form = form_of(await request.body())
        params = {name: form.get(name, "") for name in (*AUTH_PARAMS, "account", "cancel")}
    else:
        params = {name: request.query_params.get(name, "") for name in AUTH_PARAMS}
    try:
        check_request(world, params)
    except ProviderPageError as error:
        return _error_page(error)
    if params.get("response_type") != "code":
        return back_to_client(params, error="unsupported_response_type")
    if request.method == "GET":
        return HTMLResponse(render_chooser(world, params))
    if params.get("cancel"):
        return back_to_client(params, error="access_denied")
    account = world.account(params.get("account"))
    if account is None:
        return HTMLResponse(render_chooser(world, params), status_code=400)
    code = new_authorization_code()
    world.authorization_codes[code] = AuthorizationCode(
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        email=account.email,
        scope=params["scope"],
        nonce=params.get("nonce", ""),
        code_challenge=params.get("code_challenge", ""),
        code_challenge_method=params.get("code_challenge_method") or "plain",
        expires_at=world.clock.now() + CODE_LIFETIME,
    )
    return back_to_client(params, code=code, scope=params["scope"], authuser="0", prompt="none")


# --- the code exchange --------------------------------------------------------------------


def client_credentials(form: dict[str, str], authorization: str) -> tuple[str, str]:
    """client_secret_basic (the Authorization header) or client_secret_post (the form)."""
    if authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip()).decode()
        except (ValueError, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def verifier_matches(code: AuthorizationCode, verifier: str) -> bool:
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        computed = verifier
    return hmac.compare_digest(computed, code.code_challenge)


def exchange_code(
    world: World, form: dict[str, str], authorization: str, issuer: str, now: float
) -> dict:
    """Google's answer to an authorization-code grant, or TokenError with its refusal."""
    client_id, secret = client_credentials(form, authorization)
    client = world.oauth_clients.get(client_id)
    if client is None or not hmac.compare_digest(client.client_secret, secret):
        raise TokenError(401, "invalid_client", "Unauthorized")
    # Single use: the code is gone whatever happens next, as at Google.
    code = world.authorization_codes.pop(form.get("code", ""), None)
    if code is None or code.client_id != client_id or code.expires_at < now:
        raise errors.invalid_grant("Bad Request")
    if form.get("redirect_uri", "") != code.redirect_uri:
        raise TokenError(400, "redirect_uri_mismatch", "Bad Request")
    if code.code_challenge:
        verifier = form.get("code_verifier", "")
        if not verifier:
            raise errors.invalid_grant("Missing code verifier.")
        if not verifier_matches(code, verifier):
            raise errors.invalid_grant("Invalid code verifier.")
    account = world.account(code.email)
    if account is None:  # deleted between the chooser and the exchange
        raise errors.invalid_grant("Bad Request")
    access_token = new_access_token()
    world.userinfo_tokens[access_token] = (account.email, now + ID_TOKEN_LIFETIME)
    body = {
        "access_token": access_token,
        "expires_in": ID_TOKEN_LIFETIME - 1,
        "token_type": "Bearer",
        "scope": code.scope,
    }
    if "openid" in code.scope.split():
        body["id_token"] = id_token(world, account, code, issuer, now)
    return body


def claims_of(
    world: World, account: User, code: AuthorizationCode, issuer: str, now: float
) -> dict:
    claims = {
        "iss": issuer,
        "azp": code.client_id,
        "aud": code.client_id,
        "sub": account.subject,
        "email": account.email,
        "email_verified": True,
        "iat": int(now),
        "exp": int(now) + ID_TOKEN_LIFETIME,
    }
    workspace = world.workspace_of(account.email)
    if workspace is not None and account.email in workspace.users:
        claims["hd"] = workspace.domain
    if code.nonce:
        claims["nonce"] = code.nonce
    return claims


def id_token(world: World, account: User, code: AuthorizationCode, issuer: str, now: float) -> str:
    claims = claims_of(world, account, code, issuer, now)
    fault = world.id_token_fault
    if fault == "email_not_verified":
        claims["email_verified"] = False
    claims = with_claim_fault(
        claims,
        fault,
        now,
        other_audience="someone-else.apps.googleusercontent.com",
        other_issuer="https://accounts.example.invalid",
    )
    tampered = {"email": "someone.else@" + claims["email"].rsplit("@", 1)[1]}
    return signed(claims, world.id_token_key(), fault, tampered)


def with_claim_fault(
    claims: dict, fault: str, now: float, *, other_audience: str, other_issuer: str
) -> dict:
    """The claims made wrong in the way `fault` names (the faults every provider shares)."""
    claims = dict(claims)
    if fault == "expired":
        claims["iat"], claims["exp"] = int(now) - 7200, int(now) - 3600
    elif fault == "wrong_audience":
        claims["aud"] = other_audience
        if "azp" in claims:
            claims["azp"] = other_audience
    elif fault == "wrong_issuer":
        claims["iss"] = other_issuer
    elif fault == "wrong_nonce":
        claims["nonce"] = "not-the-nonce-you-sent"
    return claims


def signed(claims: dict, key: SigningKey, fault: str, tampered: dict) -> str:
    """An RS256 JWT of `claims`; `foreign_signer` signs with a key nobody published (same kid),
    `tampered` changes the payload after signing (to the claims in `tampered`)."""
    signing_pem = key.private_pem
    if fault == "foreign_signer":
        signing_pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    token = jwt.encode(claims, signing_pem, algorithm="RS256", headers={"kid": key.key_id})
    if fault == "tampered":
        header, _, signature = token.split(".")
        changed = json.dumps({**claims, **tampered}).encode()
        payload = base64.urlsafe_b64encode(changed).rstrip(b"=").decode()
        token = f"{header}.{payload}.{signature}"
    return token


# --- userinfo -----------------------------------------------------------------------------


async def userinfo(request: Request) -> JSONResponse:
    world: World = request.app.state.world
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    entry = world.userinfo_tokens.get(token)
    if entry is None or entry[1] < world.clock.now():
        return JSONResponse(
            {"error": "invalid_request", "error_description": "Invalid Credentials"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    account = world.account(entry[0])
    if account is None:
        return JSONResponse({"error": "invalid_request"}, status_code=401)
    info = {"sub": account.subject, "email": account.email, "email_verified": True}
    workspace = world.workspace_of(account.email)
    if workspace is not None and account.email in workspace.users:
        info["hd"] = workspace.domain
    return JSONResponse(info)


def form_of(raw: bytes) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(raw.decode(errors="replace")).items()}


def is_registrable_redirect(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment


routes = [
    Route("/.well-known/openid-configuration", discovery, methods=["GET"]),
    Route("/o/oauth2/v2/auth", authorize, methods=["GET", "POST"]),
    Route("/oauth2/v3/certs", certs, methods=["GET"]),
    Route("/v1/userinfo", userinfo, methods=["GET", "POST"]),
]
