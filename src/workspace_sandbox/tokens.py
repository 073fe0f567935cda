"""The OAuth 2.0 token endpoint: a service account's signed JWT exchanged for an access token
(and, in oidc.py, a sign-in's authorization code exchanged for an ID token).

The checks follow what Google reports, in an order that gives the most specific answer: the
account itself, then the signature, then the claims, then the subject and the delegation grant.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse

from . import google_errors as errors
from . import oidc
from .google_errors import TokenError
from .ids import new_access_token
from .state import AccessToken, ServiceAccount, World

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_LIFETIME = 3600
MAX_ASSERTION_LIFETIME = 3600
CLOCK_SKEW = 300  # how far in the future an `iat` may be before Google calls it unreasonable
GOOGLE_TOKEN_AUDIENCES = {
    "https://oauth2.googleapis.com/token",
    "https://accounts.google.com/o/oauth2/token",
    "https://www.googleapis.com/oauth2/v4/token",
}
# Scopes Google knows; anything else is `invalid_scope`.
KNOWN_SCOPES = frozenset(
    "https://www.googleapis.com/auth/" + name
    for name in (
        "calendar",
        "calendar.readonly",
        "calendar.events",
        "calendar.events.readonly",
        "calendar.events.owned",
        "calendar.events.owned.readonly",
        "calendar.events.freebusy",
        "calendar.events.public.readonly",
        "calendar.freebusy",
        "calendar.app.created",
        "calendar.settings.readonly",
        "calendar.calendarlist",
        "calendar.calendarlist.readonly",
        "calendar.calendars",
        "calendar.calendars.readonly",
        "calendar.acls",
        "calendar.acls.readonly",
        "admin.directory.user.readonly",
        "userinfo.email",
        "userinfo.profile",
        "cloud-platform",
        "gmail.readonly",
        "gmail.send",
        "drive",
        "drive.readonly",
    )
) | {"openid", "email", "profile"}


def exchange(world: World, form: dict[str, str], own_token_uri: str, now: float) -> dict:
    """Returns Google's success body, or raises TokenError with Google's refusal.

    `now` is the sandbox's clock; the assertion's own times are checked against the wall
    clock, the one the client signed it with.
    """
    grant_type = form.get("grant_type", "")
    if grant_type != JWT_BEARER:
        raise TokenError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")
    assertion = form.get("assertion", "")
    if not assertion:
        raise TokenError(400, "invalid_request", "Missing required parameter: assertion")
    try:
        header = jwt.get_unverified_header(assertion)
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise errors.invalid_grant(errors.INVALID_SIGNATURE) from exc
    account = world.service_accounts.get(str(unverified.get("iss", "")).lower())
    if account is None:
        raise errors.invalid_grant(errors.INVALID_SIGNATURE)
    if account.deleted:
        raise TokenError(400, "deleted_client", errors.DELETED_CLIENT)
    if account.disabled:
        raise TokenError(400, "disabled_client", errors.DISABLED_CLIENT)
    claims = _verified_claims(account, assertion, header.get("kid"))
    if claims.get("aud") not in GOOGLE_TOKEN_AUDIENCES | {own_token_uri}:
        raise errors.invalid_grant(errors.FAILED_AUDIENCE)
    _check_timeframe(claims, world.clock.wall())
    scopes = _requested_scopes(claims)
    subject = claims.get("sub")
    if subject and subject.lower() != account.client_email:
        principal = _delegated_subject(world, account, subject, scopes, now)
        delegated = True
    else:
        principal, delegated = account.client_email, False
    token = AccessToken(
        token=new_access_token(),
        client_email=account.client_email,
        project_id=account.project_id,
        principal=principal,
        delegated=delegated,
        scopes=scopes,
        expires_at=now + TOKEN_LIFETIME,
    )
    world.tokens[token.token] = token
    return {"access_token": token.token, "expires_in": TOKEN_LIFETIME - 1, "token_type": "Bearer"}


def _verified_claims(account: ServiceAccount, assertion: str, key_id: str | None) -> dict:
    """The claims, if the assertion is signed with one of the account's live keys."""
    if key_id:
        candidates = [account.public_keys[key_id]] if key_id in account.public_keys else []
    else:
        candidates = list(account.public_keys.values())
    for public_key in candidates:
        try:
            return jwt.decode(
                assertion,
                public_key,
                algorithms=["RS256"],
                options={
                    "verify_aud": False,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as exc:
            raise errors.invalid_grant(errors.INVALID_SIGNATURE) from exc
    raise errors.invalid_grant(errors.INVALID_SIGNATURE)


def _check_timeframe(claims: dict, now: float) -> None:
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int | float) or not isinstance(exp, int | float):
        raise errors.invalid_grant(errors.BAD_TIMEFRAME)
    if exp <= iat or exp - iat > MAX_ASSERTION_LIFETIME or iat > now + CLOCK_SKEW or exp < now:
        raise errors.invalid_grant(errors.BAD_TIMEFRAME)


def _requested_scopes(claims: dict) -> frozenset[str]:
    scope = claims.get("scope")
    scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
    if not scopes or not scopes <= KNOWN_SCOPES:
        raise TokenError(400, "invalid_scope", errors.INVALID_SCOPE)
    return scopes


def _delegated_subject(
    world: World, account: ServiceAccount, subject: str, scopes: frozenset[str], now: float
) -> str:
    user = world.user(subject)
    if user is None:
        raise errors.invalid_grant(errors.INVALID_SUBJECT)
    grant = world.workspace_of(user.email).delegations.get(account.client_id)
    if grant is None or grant.effective_at > now or not scopes <= grant.scopes:
        raise errors.unauthorized_client()
    return user.email


async def token_endpoint(request: Request) -> JSONResponse:
    world: World = request.app.state.world
    form = {
        key: values[-1]
        for key, values in parse_qs((await request.body()).decode(errors="replace")).items()
    }
    own_token_uri = str(request.base_url).rstrip("/") + "/token"
    world.calls["oauth2.token"] += 1
    try:
        if form.get("grant_type") == oidc.AUTHORIZATION_CODE:  # Sign in with Google
            authorization = request.headers.get("authorization", "")
            issuer = oidc.issuer_of(request)
            body = oidc.exchange_code(world, form, authorization, issuer, world.clock.now())
        else:
            body = exchange(world, form, own_token_uri, world.clock.now())
    except TokenError as refusal:
        return JSONResponse(refusal.body(), status_code=refusal.status)
    return JSONResponse(
        body, headers={"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate"}
    )
