"""The tenant admin's commands: save a credential, check it again, disconnect.

Each command changes the database in one transaction, writes its audit entry, and leaves
the checking to the background (`tasks.check_integration`) once the transaction commits.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from meetbridge.integrations import registry
from meetbridge.integrations.access import audit_change, vault
from meetbridge.integrations.models import Credential, Integration
from meetbridge.integrations.tasks import check_integration
from meetbridge.integrations.tokens import TOKENS
from meetbridge.tenants.models import Person, Tenant
from meetbridge.tenants.rules import RuleViolation


class NothingToCheck(RuleViolation):
    def __init__(self) -> None:
        super().__init__(
            "not_configured", "There is no key to check: save a service-account key first."
        )


def _schedule_check(credential: Credential) -> None:
    credential_id, check_round = credential.id, credential.check_round
    transaction.on_commit(lambda: check_integration(credential_id, check_round))


def save_key(*, tenant: Tenant, actor: Person, provider: str, raw_key: Any) -> Credential:
    """Store an uploaded credential (checked, sealed) and start verifying it in the background.

    The credential in service, if any, keeps serving until this one verifies. Raises
    CredentialError or RuleViolation, having stored nothing.
    """
    kind = registry.kind(provider)
    parsed = kind.parse_credential(raw_key)
    with transaction.atomic():
        integration, _ = Integration.objects.select_for_update().get_or_create(
            tenant=tenant, defaults={"provider": provider}
        )
        integration.provider = provider
        integration.key_versions += 1
        integration.save(update_fields=["provider", "key_versions"])
        integration.credentials.filter(in_service=False).delete()  # an unverified earlier upload
        credential = Credential(
            integration=integration,
            provider=kind.name,
            version=integration.key_versions,
            status=Credential.Status.PENDING,
            saved_by=actor,
            check_round=1,
            next_check_at=timezone.now(),
            public=kind.conf.model_validate(parsed.public).model_dump(mode="json"),
            secret_id=parsed.secret_id,
            expires_at=parsed.expires_at,
        )
        credential.sealed_secret = vault().seal(parsed.secret, bound_to=credential.bound_to)
        credential.save()
        audit_change(
            tenant,
            actor,
            "integration.key_saved",
            detail=f"{kind.label} {parsed.summary} (version {credential.version})",
        )
        _schedule_check(credential)
    return credential


def request_check(*, tenant: Tenant, actor: Person) -> Credential:
    """Check the newest key again now, starting a fresh round of re-checks."""
    with transaction.atomic():
        credential = (
            Credential.objects.select_for_update()
            .filter(integration__tenant=tenant)
            .order_by("in_service", "-version")
            .first()
        )
        if credential is None:
            raise NothingToCheck()
        credential.check_round += 1
        credential.failed_checks = 0
        credential.next_check_at = timezone.now()
        if credential.status == Credential.Status.FAILED:
            credential.status = Credential.Status.PENDING
        credential.save(update_fields=["check_round", "failed_checks", "next_check_at", "status"])
        audit_change(tenant, actor, "integration.check_requested", detail=credential.identity)
        _schedule_check(credential)
    return credential


def disconnect(*, tenant: Tenant, actor: Person | None) -> bool:
    """Destroy every stored key of the tenant. True when there was something to destroy."""
    with transaction.atomic():
        integration = Integration.objects.select_for_update().filter(tenant=tenant).first()
        if integration is None:
            return False
        credentials = list(integration.credentials.all())
        token_scopes = [c.cache_key for c in credentials]
        identities = sorted({c.identity for c in credentials})
        integration.delete()  # the credentials, and with them the sealed keys, go too
        audit_change(
            tenant,
            actor,
            "integration.deleted",
            detail="stored keys destroyed: " + (", ".join(identities) or "none"),
        )
    for scope in token_scopes:
        TOKENS.forget_credential(scope)
    return True
