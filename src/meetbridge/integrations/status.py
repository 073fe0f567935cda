"""The integration as the API and the Integrations page show it (never a secret)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from meetbridge.integrations import registry
from meetbridge.integrations.expiry import warning
from meetbridge.integrations.models import Credential, Integration
from meetbridge.tenants.models import Tenant

NOT_CONFIGURED = "not_configured"


def integration_of(tenant: Tenant) -> Integration | None:
    return Integration.objects.filter(tenant=tenant).first()


def newest_credential(integration: Integration | None) -> Credential | None:
    """The key the admin saved last: a candidate awaiting verification, else the one in use."""
    if integration is None:
        return None
    return integration.credentials.order_by("in_service", "-version").first()


def _no_public_fields() -> dict[str, None]:
    """Every provider's public block, empty: the API shape is the same whichever is chosen."""
    return {kind.api_field: None for kind in registry.all_kinds()}


def describe(tenant: Tenant) -> dict[str, Any]:
    """The integration as the API shows it (never the private key)."""
    integration = integration_of(tenant)
    credential = newest_credential(integration)
    if integration is None or credential is None:
        return {
            "provider": None,
            "status": NOT_CONFIGURED,
            **_no_public_fields(),
            "scopes": [],
            "checked_at": None,
            "problem": None,
            "degraded": False,
            "last_success_at": None,
        }
    kind = credential.kind
    return {
        "provider": kind.name,
        "status": credential.status,
        **_no_public_fields(),
        kind.api_field: credential.conf.model_dump(mode="json"),
        "scopes": list(kind.scopes),
        "checked_at": credential.checked_at,
        "problem": credential.problem,
        # Verified, but the provider's own trouble failed the latest checks: still enabled.
        "degraded": credential.status == Credential.Status.VERIFIED and bool(credential.problem),
        "last_success_at": credential.verified_at,
    }


@dataclass(frozen=True)
class PageState:
    """What the Integrations page shows beyond the API's shape."""

    integration: dict[str, Any]
    next_check_at: datetime | None
    saved_by: str
    saved_at: datetime | None
    previous_key_in_service: Credential | None
    kind: registry.ProviderKind | None  # the provider connected, None before any is
    # Failed, but of something that can heal by itself (delegation still propagating, the
    # provider unreachable...) with a check planned: waiting, not for the admin to act.
    waiting: bool = False
    expiry_warning: str | None = None  # within 30 days of the credential's expiry


def page_state(tenant: Tenant) -> PageState:
    integration = integration_of(tenant)
    credential = newest_credential(integration)
    previous = None
    if credential is not None and not credential.in_service:
        previous = integration.credentials.filter(in_service=True).first()
    return PageState(
        integration=describe(tenant),
        next_check_at=credential.next_check_at if credential else None,
        saved_by=(credential.saved_by.email if credential and credential.saved_by else ""),
        saved_at=credential.saved_at if credential else None,
        previous_key_in_service=previous,
        kind=credential.kind if credential is not None else None,
        waiting=bool(
            credential is not None
            and credential.problem_heals
            and credential.next_check_at is not None
        ),
        expiry_warning=_expiry_warning(credential),
    )


def _expiry_warning(credential: Credential | None) -> str | None:
    if credential is None or credential.expires_at is None:
        return None
    kind = credential.kind
    return warning(
        credential.expires_at,
        timezone.now(),
        f"{kind.label} {kind.wording.credential}",
        kind.wording.company,
    )
