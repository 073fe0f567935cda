"""Sign in with Microsoft: OpenID Connect with Entra ID (or the sandbox, by its discovery URL).

The default authority is `organizations` (work and school accounts of any directory), whose
discovery document names the issuer as a template, `https://login.microsoftonline.com/
{tenantid}/v2.0`: a token's `iss` must be that template with the token's own `tid` in it.
Microsoft vouches for `tid` (the person's directory) and `oid` (their object id there, which
never changes), not for `email` or `preferred_username`; so:

- the tenant is the one whose Microsoft 365 integration is connected to the directory `tid`
  names (the id in its credential in service), never one found by e-mail;
- a person is keyed by `tid` + `oid` (`tenants.Identity.subject` is `"{tid}/{oid}"`): an address
  changed at Microsoft still finds the same person, and an address moved to another account of
  the directory finds no one (joining.py refuses to link a second account to a person);
- personal Microsoft accounts (`tid` 9188040d-6c67-4c5b-b112-36a304b66dad) are refused.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings

from meetbridge.accounts import joining, oidc
from meetbridge.accounts.claims import LEEWAY_SECONDS, SignInRefused, VerifiedIdentity
from meetbridge.accounts.registry import SignInMethod
from meetbridge.config import microsoft_organizations_discovery

log = logging.getLogger(__name__)

PROVIDER = "microsoft"
PERSONAL_ACCOUNTS_TID = "9188040d-6c67-4c5b-b112-36a304b66dad"
TENANT_PLACEHOLDER = "{tenantid}"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def client_settings() -> oidc.ClientSettings:
    conf = settings.MEETBRIDGE
    login_base = conf.get("MICROSOFT_LOGIN_BASE") or "https://login.microsoftonline.com"
    return oidc.ClientSettings(
        client_id=conf.get("MICROSOFT_OIDC_CLIENT_ID", ""),
        client_secret=conf.get("MICROSOFT_OIDC_CLIENT_SECRET", ""),
        discovery_url=conf.get("MICROSOFT_OIDC_DISCOVERY_URL")
        or microsoft_organizations_discovery(login_base),
        ca_bundle=conf.get("MICROSOFT_CA_BUNDLE") or None,
    )


# --- the claims (pure) --------------------------------------------------------------------


def issuer_for(metadata_issuer: str, tid: object) -> str:
    """The issuer a token of directory `tid` must carry: the discovery document's issuer, with
    the `{tenantid}` placeholder filled in (a directory's own authority has none to fill)."""
    return metadata_issuer.replace(TENANT_PLACEHOLDER, str(tid))


def claims_options(metadata_issuer: str, client_id: str) -> dict:
    """Authlib's checks: `iss` against the template filled with the token's own `tid`."""
    return {
        "iss": {
            "essential": True,
            "validate": lambda claims, value: (
                value == issuer_for(metadata_issuer, claims.get("tid"))
            ),
        },
        "aud": {"essential": True, "value": client_id},
        "exp": {"essential": True},
        "sub": {"essential": True},
        "tid": {"essential": True},
        "oid": {"essential": True},
    }


def _guid(value: object) -> str:
    return value.lower() if isinstance(value, str) and GUID.fullmatch(value.lower()) else ""


def _address(claims: dict) -> str:
    """The person's address: `email` when sent, else `preferred_username` (both unverified by
    Microsoft; they only name the person within a directory the tenant already trusts)."""
    for name in ("email", "preferred_username"):
        value = claims.get(name)
        if isinstance(value, str) and "@" in value.strip() and " " not in value.strip():
            return value.strip().lower()
    return ""


def check_claims(
    claims: dict, client_id: str, metadata_issuer: str, now: float
) -> VerifiedIdentity:
    tid, oid = _guid(claims.get("tid")), _guid(claims.get("oid"))
    if not tid or claims.get("iss") != issuer_for(metadata_issuer, claims.get("tid")):
        raise SignInRefused(
            "wrong_issuer",
            "The sign-in did not come from Microsoft for your directory. Start again from "
            "meetbridge.",
        )
    audience = claims.get("aud")
    if client_id not in (audience if isinstance(audience, list) else [audience]):
        raise SignInRefused(
            "wrong_audience",
            "The sign-in was issued for another application. Start again from meetbridge.",
        )
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp + LEEWAY_SECONDS < now:
        raise SignInRefused("expired", "The sign-in expired before it arrived. Try again.")
    email = _address(claims)
    if tid == PERSONAL_ACCOUNTS_TID:
        raise SignInRefused(
            "personal_account",
            f"{email or 'This'} is a personal Microsoft account, not a work or school account "
            "of an organisation's Microsoft 365. Sign in with your work account, or with the "
            "e-mail and password your admin invited you with.",
            email=email,
        )
    if not oid or not email:
        raise SignInRefused(
            "incomplete",
            "Microsoft did not share your account's id and address. Try again; if it keeps "
            "happening, ask your admin whether the app may read your basic profile.",
            email=email,
        )
    return VerifiedIdentity(
        provider=PROVIDER,
        subject=f"{tid}/{oid}",
        email=email,
        organisation=tid,
        name=str(claims.get("name") or "")[:150],
        account_kind="Microsoft account",
        organisation_kind="Microsoft 365 directory",
    )


# --- the tenant of a directory --------------------------------------------------------------


def _connected(directory_id: str):
    """Tenants whose Microsoft 365 integration's credential in service names this directory."""
    from meetbridge.tenants.models import Tenant

    return Tenant.objects.filter(
        integration__provider=PROVIDER,
        integration__credentials__provider=PROVIDER,
        integration__credentials__in_service=True,
        integration__credentials__public__tenant_id=directory_id,
    ).distinct()


def directory_of(tenant) -> str:
    """The Microsoft 365 directory a tenant has connected (its id), or ""."""
    from meetbridge.integrations.models import Credential

    public = (
        Credential.objects.filter(
            integration__tenant=tenant,
            integration__provider=PROVIDER,
            provider=PROVIDER,
            in_service=True,
        )
        .values_list("public", flat=True)
        .first()
    )
    return str((public or {}).get("tenant_id", "")).lower()


def tenant_of(identity: VerifiedIdentity):
    tenants = list(_connected(identity.organisation)[:2])
    if len(tenants) == 1:
        return tenants[0]
    if tenants:  # two tenants claim one directory: nobody can tell which one is meant
        log.warning(
            "Microsoft directory %s is connected by more than one tenant", identity.organisation
        )
        for tenant in _connected(identity.organisation):  # each of their admins should know
            joining.audit_sign_in(
                tenant,
                "sign_in.microsoft_refused",
                email=identity.email,
                outcome="directory_shared",
            )
        raise SignInRefused(
            "directory_shared",
            "More than one organisation on meetbridge has connected your Microsoft 365 "
            "directory, so meetbridge cannot tell which one you belong to. Ask your admin to "
            "contact the operator of this meetbridge.",
            email=identity.email,
        )
    raise joining.refuse(
        "no_tenant",
        f"No organisation on meetbridge has connected the Microsoft 365 directory of "
        f"{identity.email} (directory id {identity.organisation}). If yours uses meetbridge, "
        "its admin connects Microsoft 365 on the Integrations page with this Directory "
        "(tenant) ID; until then, sign in with your e-mail and password.",
        email=identity.email,
    )


provider = oidc.Provider(
    key=PROVIDER,
    label="Microsoft",
    client_settings=client_settings,
    check_claims=check_claims,
    tenant_of=tenant_of,
    claims_options=claims_options,
    organisation_of=directory_of,
    token_endpoint_auth_method="client_secret_post",
)

method = SignInMethod(
    key=PROVIDER,
    label="Sign in with Microsoft",
    template="accounts/_microsoft.html",
    is_enabled=provider.is_configured,
    provider=provider,
)
