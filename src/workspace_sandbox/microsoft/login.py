"""Entra ID, as an app-only client meets it: tenant metadata (what msal reads first) and the
client-credentials token endpoint, with client secrets or certificate assertions.

The checks run in the order that gives Entra's most specific answer: the tenant, the grant, the
app in that tenant, the app being enabled, the credential, then the scope.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
import uuid
from urllib.parse import parse_qs, unquote_plus

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import errors
from .errors import EntraError
from .state import (
    GRAPH_APP_ID,
    GRAPH_RESOURCE,
    PERSONAL_TENANT_ID,
    TOKEN_LIFETIME,
    App,
    Directory,
    GraphToken,
)

LOGIN = "/microsoft/login"
CLIENT_CREDENTIALS = "client_credentials"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_SKEW = 300
TOKEN_SIGNING_KEY = uuid.uuid4().hex  # the sandbox's tokens are opaque to clients; any key does


def login_base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + LOGIN


def directory(request: Request) -> Directory:
    return request.app.state.world.microsoft


# Authorities that name no one directory: the issuer in their metadata is a template.
MULTI_TENANT = {
    "organizations": "{tenantid}",
    "common": "{tenantid}",
    "consumers": PERSONAL_TENANT_ID,
}
CLAIMS_SUPPORTED = [
    "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
    "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
    "name", "tid", "ver", "at_hash", "c_hash", "email",
]  # fmt: skip


def authority_of(d: Directory, name: str) -> tuple[str, str]:
    """(the authority's path segment, the tenant id its issuer names) for `/{name}/...`:
    a directory by id or domain, or a multi-tenant authority; EntraError when unknown."""
    lowered = name.strip().lower()
    if lowered in MULTI_TENANT:
        return lowered, MULTI_TENANT[lowered]
    tenant = d.tenant(name)
    if tenant is None:
        raise errors.tenant_not_found(name)
    return tenant.tenant_id, tenant.tenant_id


async def openid_configuration(request: Request) -> JSONResponse:
    try:
        segment, issuer_tenant = authority_of(directory(request), request.path_params["tenant"])
    except EntraError as refusal:
        return JSONResponse(refusal.body(), status_code=refusal.status)
    base = f"{login_base(request)}/{segment}"
    return JSONResponse(
        {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{login_base(request)}/{issuer_tenant}/v2.0",
            "request_uri_parameter_supported": False,
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": CLAIMS_SUPPORTED,
            "tenant_region_scope": "EU" if segment not in MULTI_TENANT else None,
            "cloud_instance_name": "microsoftonline.com",
        }
    )


async def instance_discovery(request: Request) -> JSONResponse:
    """`/common/discovery/instance`: what msal asks when instance discovery is left on."""
    endpoint = request.query_params.get("authorization_endpoint", "")
    tenant = endpoint.split(LOGIN + "/", 1)[-1].split("/", 1)[0] if LOGIN in endpoint else ""
    return JSONResponse(
        {
            "tenant_discovery_endpoint": f"{login_base(request)}/{tenant or 'common'}"
            "/v2.0/.well-known/openid-configuration",
            "api-version": "1.1",
            "metadata": [],
        }
    )


def _form(raw: bytes) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(raw.decode(errors="replace")).items()}


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


def _check_scope(scope: str) -> frozenset[str]:
    """Only `{Graph}/.default`, alone: app-only tokens carry what was consented, nothing asked."""
    parts = scope.split()
    allowed = {f"{GRAPH_RESOURCE}/.default", f"{GRAPH_APP_ID}/.default"}
    if len(parts) != 1 or parts[0] not in allowed:
        raise errors.invalid_scope(scope or "(empty)")
    return frozenset(parts)


def _check_secret(app: App, secret: str, now: float) -> None:
    matching = [s for s in app.secrets.values() if s.value == secret]
    if not matching:
        raise errors.invalid_secret(app.client_id)
    if all(s.expires_at <= now for s in matching):
        raise errors.expired_secret(app.client_id)


def _thumbprint(header: dict) -> tuple[str, str]:
    """("sha1"|"sha256", hex) from the assertion's `x5t#S256` or `x5t` header."""
    for name, kind in (("x5t#S256", "sha256"), ("x5t", "sha1")):
        value = header.get(name)
        if isinstance(value, str) and value:
            try:
                raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
            except (binascii.Error, ValueError):
                continue
            return kind, raw.hex().upper()
    raise errors.invalid_assertion(errors.ASSERTION_MALFORMED)


def _check_assertion(
    app: App, assertion: str, audiences: set[str], now_real: float, now: float
) -> None:
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError as exc:
        raise errors.invalid_assertion(errors.ASSERTION_MALFORMED) from exc
    kind, thumbprint = _thumbprint(header)
    certificate = next(
        (c for c in app.certificates.values() if getattr(c, kind).upper() == thumbprint), None
    )
    if certificate is None:
        raise errors.key_not_found(app.client_id, thumbprint)
    algorithm = header.get("alg")
    try:
        claims = jwt.decode(
            assertion,
            certificate.public_key_pem,
            algorithms=["RS256", "PS256"] if algorithm in ("RS256", "PS256") else [],
            options={
                "verify_aud": False,
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise errors.bad_signature(
            app.client_id,
            thumbprint,
            certificate.not_before.strftime("%Y-%m-%dT%H:%M:%SZ"),
            certificate.not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
        ) from exc
    if claims.get("iss") != app.client_id or claims.get("sub") != app.client_id:
        raise errors.invalid_assertion(errors.ASSERTION_ISSUER, 700021)
    if claims.get("aud") not in audiences:
        raise errors.invalid_assertion(
            errors.ASSERTION_AUDIENCE.format(aud=str(claims.get("aud"))[:200]), 700212
        )
    # The assertion is signed on the client's real clock, so it is judged on the real clock.
    exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
    if not isinstance(exp, int | float) or not isinstance(nbf, int | float):
        raise errors.invalid_assertion(errors.ASSERTION_MALFORMED)
    if exp < now_real - ASSERTION_SKEW or nbf > now_real + ASSERTION_SKEW:
        raise errors.invalid_assertion(
            errors.ASSERTION_TIME.format(now=int(now_real), nbf=int(nbf), exp=int(exp)), 700024
        )
    if certificate.not_after.timestamp() <= now:
        raise errors.invalid_assertion(
            f"The certificate with thumbprint '{thumbprint}' of app '{app.client_id}' expired "
            f"on {certificate.not_after:%Y-%m-%dT%H:%M:%SZ}.",
            700027,
        )


def exchange(
    world_directory: Directory,
    tenant_name: str,
    form: dict[str, str],
    basic: tuple[str, str] | None,
    base: str,
    now_real: float,
) -> dict:
    """Entra's success body, or raises EntraError with its refusal."""
    now = world_directory.clock.now()
    tenant = world_directory.tenant(tenant_name)
    if tenant is None:
        raise errors.tenant_not_found(tenant_name)
    grant = form.get("grant_type", "")
    if not grant:
        raise EntraError(
            400, "invalid_request", 900144, errors.MISSING_PARAMETER.format(name="grant_type")
        )
    if grant != CLIENT_CREDENTIALS:
        raise EntraError(
            400, "unsupported_grant_type", 70003, errors.UNSUPPORTED_GRANT.format(grant=grant)
        )
    client_id = (form.get("client_id") or (basic[0] if basic else "")).strip().lower()
    if not client_id:
        raise EntraError(
            400, "invalid_request", 900144, errors.MISSING_PARAMETER.format(name="client_id")
        )
    app = world_directory.apps.get(client_id)
    if app is None or app.tenant_id != tenant.tenant_id:
        raise errors.app_not_found(client_id, tenant_name)
    if app.disabled:
        raise errors.app_disabled(app.client_id, app.name)
    secret = form.get("client_secret") or (basic[1] if basic else "")
    assertion = form.get("client_assertion", "")
    if secret:
        _check_secret(app, secret, now)
    elif assertion:
        if form.get("client_assertion_type") != JWT_BEARER:
            raise errors.invalid_assertion(errors.ASSERTION_MALFORMED)
        names = (tenant.tenant_id, *tenant.domain_names)
        audiences = {f"{base}/{name}/oauth2/v2.0/token" for name in names}
        audiences |= {f"{base}/{name}/v2.0" for name in names}
        audiences |= {a.replace(base, "https://login.microsoftonline.com") for a in set(audiences)}
        _check_assertion(app, assertion, audiences, now_real, now)
    else:
        raise errors.no_credential()
    _check_scope(form.get("scope", ""))
    roles = tenant.roles_of(app.client_id, now)
    claims = {
        "aud": GRAPH_RESOURCE,
        "iss": f"https://sts.windows.net/{tenant.tenant_id}/",
        "iat": int(now),
        "nbf": int(now),
        "exp": int(now) + TOKEN_LIFETIME + 1,
        "appid": app.client_id,
        "app_displayname": app.name,
        "tid": tenant.tenant_id,
        "oid": app.object_id,
        "sub": app.object_id,
        "idtyp": "app",
        "uti": uuid.uuid4().hex,
    }
    if roles:
        claims["roles"] = sorted(roles)  # without consent Entra leaves the claim out altogether
    token = jwt.encode(claims, TOKEN_SIGNING_KEY, algorithm="HS256")
    world_directory.tokens[token] = GraphToken(
        client_id=app.client_id,
        tenant_id=tenant.tenant_id,
        roles=frozenset(roles),
        expires_at=now + TOKEN_LIFETIME + 1,
    )
    return {
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
        "ext_expires_in": TOKEN_LIFETIME,
        "access_token": token,
    }


async def token_endpoint(request: Request) -> JSONResponse:
    try:
        body = exchange(
            directory(request),
            request.path_params["tenant"],
            _form(await request.body()),
            _basic_auth(request.headers.get("authorization")),
            login_base(request),
            time.time(),
        )
    except EntraError as refusal:
        return JSONResponse(refusal.body(), status_code=refusal.status)
    return JSONResponse(body, headers={"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})


def thumbprints(der: bytes) -> tuple[str, str]:
    return hashlib.sha1(der).hexdigest().upper(), hashlib.sha256(der).hexdigest().upper()  # noqa: S324


routes = [
    Route(f"{LOGIN}/common/discovery/instance", instance_discovery, methods=["GET"]),
    Route(
        f"{LOGIN}/{{tenant}}/v2.0/.well-known/openid-configuration",
        openid_configuration,
        methods=["GET"],
    ),
]  # the token endpoint is served by sign_in.py: it also redeems sign-in codes
