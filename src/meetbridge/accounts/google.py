"""Sign in with Google: OpenID Connect with Google (or the sandbox, by its discovery URL).

A Workspace account's `hd` claim names its domain; the tenant is the one with that domain.
People are keyed by Google's `sub` (accounts/joining.py).
"""

from __future__ import annotations

from django.conf import settings

from meetbridge.accounts import oidc
from meetbridge.accounts.claims import VerifiedIdentity, accepted_issuers, check_google_claims
from meetbridge.accounts.registry import SignInMethod


def client_settings() -> oidc.ClientSettings:
    conf = settings.MEETBRIDGE
    return oidc.ClientSettings(
        client_id=conf.get("GOOGLE_OIDC_CLIENT_ID", ""),
        client_secret=conf.get("GOOGLE_OIDC_CLIENT_SECRET", ""),
        discovery_url=conf.get("GOOGLE_OIDC_DISCOVERY_URL", ""),
    )


def check_claims(
    claims: dict, client_id: str, metadata_issuer: str, now: float
) -> VerifiedIdentity:
    return check_google_claims(
        claims, client_id=client_id, issuers=accepted_issuers(metadata_issuer), now=now
    )


def tenant_of(identity: VerifiedIdentity):
    from meetbridge.tenants.models import Tenant

    return Tenant.objects.filter(domain=identity.organisation).first()


provider = oidc.Provider(
    key="google",
    label="Google",
    client_settings=client_settings,
    check_claims=check_claims,
    tenant_of=tenant_of,
)

method = SignInMethod(
    key="google",
    label="Sign in with Google",
    template="accounts/_google.html",
    is_enabled=provider.is_configured,
    provider=provider,
)
