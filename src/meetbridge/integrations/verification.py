"""Checking a tenant's credential against its provider, and recording what the check found.

A check runs without holding a database lock while the provider is asked; it then records the
outcome only if no newer round of checks started meanwhile (`check_round`). A credential
that failed in a way that heals by itself is checked again on a backoff (`schedule.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from meetbridge.integrations.access import audit_change, build_provider
from meetbridge.integrations.failures import is_provider_trouble
from meetbridge.integrations.models import Credential
from meetbridge.integrations.provider import ProviderError
from meetbridge.integrations.schedule import DAILY_RECHECK, recheck_delay
from meetbridge.integrations.tokens import TOKENS
from meetbridge.integrations.vault import VaultError
from meetbridge.tenants.models import Person

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    status: str
    problem: dict[str, str] | None
    next_delay: timedelta | None


def _acting_admin(credential: Credential) -> Person | None:
    """Verification acts as the admin who saved the key, or else another admin."""
    saver = credential.saved_by
    tenant = credential.integration.tenant
    if (
        saver is not None
        and saver.is_active
        and saver.tenant_id == tenant.id
        and saver.is_tenant_admin
    ):
        return saver
    return (
        Person.objects.filter(tenant=tenant, role=Person.Role.ADMIN, is_active=True)
        .order_by("id")
        .first()
    )


def _verify(credential: Credential) -> ProviderError | None:
    admin = _acting_admin(credential)
    if admin is None:
        return ProviderError(
            "no_admin",
            "The tenant has no active admin for meetbridge to check the connection as.",
            fix="Make someone a tenant admin, then save the key again.",
        )
    try:
        provider = build_provider(credential, actor=None)
    except VaultError:
        wording = credential.kind.wording
        return ProviderError(
            "key_unreadable",
            "The stored key cannot be decrypted with this installation's encryption keys.",
            fix=f"{wording.save_again}; if this repeats, tell the operator of this "
            "meetbridge installation (MEETBRIDGE_ENCRYPTION_KEYS changed).",
        )
    try:
        provider.verify(as_email=admin.email)
    except ProviderError as exc:
        return exc
    return None


def _settled(credential: Credential) -> dict | None:
    """The credential's public fields as they should be stored, if the provider says they name
    the account indirectly (asked without a lock, like the check itself)."""
    kind = credential.kind
    settled = kind.settled(credential.public, kind.config_from(settings.MEETBRIDGE))
    return kind.conf.model_validate(settled).model_dump(mode="json") if settled else None


def check_credential(
    credential_id: int, check_round: int, *, now: datetime | None = None
) -> CheckResult | None:
    """Verify one credential against its provider and record the outcome.

    None when the check no longer applies (key replaced or deleted, or a newer round of
    checks started meanwhile). No database lock is held while the provider is asked.
    """
    credential = (
        Credential.objects.select_related("integration__tenant", "saved_by")
        .filter(pk=credential_id, check_round=check_round)
        .first()
    )
    if credential is None:
        return None
    failure = _verify(credential)
    settled = _settled(credential) if failure is None else None
    now = now or timezone.now()
    with transaction.atomic():
        current = Credential.objects.select_for_update().filter(
            pk=credential_id, check_round=check_round
        )
        credential = current.select_related("integration__tenant").first()
        if credential is None:
            return None
        previous = (credential.status, credential.problem_code)
        if settled is not None:
            credential.public = settled  # saved with the outcome below
        if failure is None:
            _record_success(credential, now)
        else:
            _record_failure(credential, failure, now)
        _audit_transition(credential, previous)
    log.info(
        "Integration check of tenant %s, key version %s: %s%s",
        credential.integration.tenant.slug,
        credential.version,
        credential.status,
        f" ({credential.problem_code})" if credential.problem_code else "",
    )
    return CheckResult(
        status=credential.status,
        problem=credential.problem,
        next_delay=(credential.next_check_at - now) if credential.next_check_at else None,
    )


def _record_success(credential: Credential, now: datetime) -> None:
    credential.status = Credential.Status.VERIFIED
    credential.checked_at = credential.verified_at = now
    credential.problem_code = credential.problem_message = credential.problem_fix = ""
    credential.problem_heals = False
    credential.failed_checks = 0
    credential.next_check_at = now + DAILY_RECHECK
    if not credential.in_service:
        retired = list(credential.integration.credentials.filter(in_service=True))
        for old in retired:
            TOKENS.forget_credential(old.cache_key)
            old.delete()  # the replaced key is destroyed once the new one works
        credential.in_service = True
    credential.save()


def _record_failure(credential: Credential, failure: ProviderError, now: datetime) -> None:
    if credential.status == Credential.Status.VERIFIED and is_provider_trouble(failure):
        _record_degraded(credential, failure, now)
        return
    credential.status = Credential.Status.FAILED
    credential.checked_at = now
    credential.problem_code = failure.code
    credential.problem_message = failure.message
    credential.problem_fix = failure.fix
    credential.problem_heals = failure.retryable
    credential.failed_checks += 1
    delay = recheck_delay(credential.failed_checks) if failure.retryable else None
    credential.next_check_at = now + delay if delay else None
    credential.save()


def _record_degraded(credential: Credential, failure: ProviderError, now: datetime) -> None:
    """A verified key the provider could not confirm for reasons of its own (unreachable, its
    5xx, a limit): the integration stays enabled, shown as degraded since its last success
    (`verified_at`), and is checked again on the backoff until a check passes."""
    credential.checked_at = now
    credential.problem_code = failure.code
    credential.problem_message = failure.message
    credential.problem_fix = failure.fix
    credential.problem_heals = True
    credential.failed_checks += 1
    credential.next_check_at = now + (recheck_delay(credential.failed_checks) or DAILY_RECHECK)
    credential.save()


def _audit_transition(credential: Credential, previous: tuple[str, str]) -> None:
    if (credential.status, credential.problem_code) == previous:
        return  # an unchanged re-check adds only its provider calls to the log
    tenant = credential.integration.tenant
    if credential.status == Credential.Status.VERIFIED and credential.problem_code:
        audit_change(
            tenant,
            None,
            "integration.degraded",
            outcome=credential.problem_code,
            detail=credential.problem_message,
        )
    elif credential.status == Credential.Status.VERIFIED:
        audit_change(tenant, None, "integration.verified", detail=credential.identity)
    else:
        audit_change(
            tenant,
            None,
            "integration.check_failed",
            outcome=credential.problem_code,
            detail=credential.problem_message,
        )


def due_for_daily_check(now: datetime | None = None) -> list[tuple[int, int]]:
    """(credential id, round) of every key in service not checked for a day."""
    now = now or timezone.now()
    return list(
        Credential.objects.filter(
            in_service=True,
            status=Credential.Status.VERIFIED,
            checked_at__lte=now - DAILY_RECHECK + timedelta(minutes=5),
        ).values_list("id", "check_round")
    )
