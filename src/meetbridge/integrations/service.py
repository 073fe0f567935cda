"""A tenant's calendar integration: saving a key, checking it, and handing out providers.

Other apps need one function from here: `provider_for(tenant, actor)`, the tenant's calendar
provider acting for `actor` (a Person), every call it makes written to the audit log. It
raises `NotConnected` while the tenant has no verified integration.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from meetbridge.audit import service as audit
from meetbridge.audit.models import AuditEvent
from meetbridge.integrations.keyfile import ServiceAccountKey, parse_key
from meetbridge.integrations.models import Credential, Integration
from meetbridge.integrations.provider import (
    CalendarProvider,
    CallObserver,
    CallRecord,
    NotConnected,
    ProviderError,
)
from meetbridge.integrations.providers.google import (
    CALENDAR_SCOPE,
    GoogleConfig,
    GoogleWorkspaceProvider,
)
from meetbridge.integrations.providers.google.retry import RetryPolicy
from meetbridge.integrations.providers.google.tokens import TOKENS
from meetbridge.integrations.schedule import DAILY_RECHECK, recheck_delay
from meetbridge.integrations.vault import Vault, VaultError
from meetbridge.tenants.models import Person, Tenant
from meetbridge.tenants.rules import RuleViolation

log = logging.getLogger(__name__)

PROVIDERS = {"google": "Google Workspace"}
SCOPES = {"google": [CALENDAR_SCOPE]}
BACKGROUND_ACTOR = "meetbridge (automatic check)"
NOT_CONFIGURED = "not_configured"


class NothingToCheck(RuleViolation):
    def __init__(self) -> None:
        super().__init__(
            "not_configured", "There is no key to check: save a service-account key first."
        )


# --- configuration ---------------------------------------------------------------------------


def vault() -> Vault:
    return Vault(settings.MEETBRIDGE["ENCRYPTION_KEYS"])


def google_config() -> GoogleConfig:
    options = settings.MEETBRIDGE
    return GoogleConfig(
        token_uri=options["GOOGLE_TOKEN_URI"],
        api_base=options["GOOGLE_API_BASE"].rstrip("/"),
        retry=RetryPolicy(
            max_attempts=int(options.get("GOOGLE_RETRY_ATTEMPTS", 4)),
            base_delay=float(options.get("GOOGLE_RETRY_BASE_SECONDS", 0.5)),
            max_delay=float(options.get("GOOGLE_RETRY_MAX_SECONDS", 8.0)),
        ),
        connect_timeout=float(options.get("GOOGLE_CONNECT_TIMEOUT", 5.0)),
        read_timeout=float(options.get("GOOGLE_READ_TIMEOUT", 30.0)),
    )


# --- reading ---------------------------------------------------------------------------------


def integration_of(tenant: Tenant) -> Integration | None:
    return Integration.objects.filter(tenant=tenant).first()


def newest_credential(integration: Integration | None) -> Credential | None:
    """The key the admin saved last: a candidate awaiting verification, else the one in use."""
    if integration is None:
        return None
    return integration.credentials.order_by("in_service", "-version").first()


def credential_in_service(tenant: Tenant) -> Credential | None:
    return (
        Credential.objects.select_related("integration__tenant")
        .filter(integration__tenant=tenant, in_service=True, status=Credential.Status.VERIFIED)
        .first()
    )


def describe(tenant: Tenant) -> dict[str, Any]:
    """The integration as the API shows it (never the private key)."""
    integration = integration_of(tenant)
    credential = newest_credential(integration)
    if integration is None or credential is None:
        return {
            "provider": None,
            "status": NOT_CONFIGURED,
            "service_account": None,
            "scopes": [],
            "checked_at": None,
            "problem": None,
        }
    return {
        "provider": integration.provider,
        "status": credential.status,
        "service_account": {
            "client_email": credential.client_email,
            "client_id": credential.client_id,
            "project_id": credential.project_id,
            "private_key_id": credential.private_key_id,
        },
        "scopes": SCOPES[integration.provider],
        "checked_at": credential.checked_at,
        "problem": credential.problem,
    }


@dataclass(frozen=True)
class PageState:
    """What the Integrations page shows beyond the API's shape."""

    integration: dict[str, Any]
    next_check_at: datetime | None
    saved_by: str
    saved_at: datetime | None
    previous_key_in_service: Credential | None
    # Failed, but of something that can heal by itself (delegation still propagating, Google
    # unreachable...) with a check planned: waiting, not for the admin to act.
    waiting: bool = False


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
        waiting=bool(
            credential is not None
            and credential.problem_heals
            and credential.next_check_at is not None
        ),
    )


# --- changing --------------------------------------------------------------------------------


def _schedule_check(credential: Credential) -> None:
    from meetbridge.integrations.tasks import check_integration

    credential_id, check_round = credential.id, credential.check_round
    transaction.on_commit(lambda: check_integration(credential_id, check_round))


def _change(tenant: Tenant, actor: Person | None, operation: str, *, outcome="ok", detail=""):
    audit.record(
        tenant=tenant,
        kind=AuditEvent.Kind.INTEGRATION_CHANGE,
        operation=operation,
        actor=actor,
        actor_email="" if actor else BACKGROUND_ACTOR,
        outcome=outcome,
        detail=detail,
    )


def check_provider(provider: str) -> str:
    if provider not in PROVIDERS:
        raise RuleViolation(
            "unsupported_provider",
            f"provider must be one of: {', '.join(PROVIDERS)} (got {str(provider)[:40]!r}).",
        )
    return provider


def save_key(*, tenant: Tenant, actor: Person, provider: str, raw_key: Any) -> Credential:
    """Store an uploaded key (checked, sealed) and start verifying it in the background.

    The key in service, if any, keeps serving until this one verifies. Raises KeyFileError
    or RuleViolation, having stored nothing.
    """
    check_provider(provider)
    key: ServiceAccountKey = parse_key(raw_key)
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
            version=integration.key_versions,
            status=Credential.Status.PENDING,
            saved_by=actor,
            check_round=1,
            next_check_at=timezone.now(),
            **key.public(),
        )
        credential.sealed_key = vault().seal(key.fields, bound_to=credential.bound_to)
        credential.save()
        _change(
            tenant,
            actor,
            "integration.key_saved",
            detail=f"{PROVIDERS[provider]} key {key.private_key_id} of {key.client_email} "
            f"(version {credential.version})",
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
        _change(tenant, actor, "integration.check_requested", detail=credential.client_email)
        _schedule_check(credential)
    return credential


def disconnect(*, tenant: Tenant, actor: Person) -> bool:
    """Destroy every stored key of the tenant. True when there was something to destroy."""
    with transaction.atomic():
        integration = Integration.objects.select_for_update().filter(tenant=tenant).first()
        if integration is None:
            return False
        cache_keys = [c.cache_key for c in integration.credentials.all()]
        emails = sorted({c.client_email for c in integration.credentials.all()})
        integration.delete()  # the credentials, and with them the sealed keys, go too
        _change(
            tenant,
            actor,
            "integration.deleted",
            detail="stored keys destroyed: " + (", ".join(emails) or "none"),
        )
    for key in cache_keys:
        TOKENS.forget_credential(key)
    return True


# --- using -----------------------------------------------------------------------------------


class AuditObserver:
    """Every call a provider makes with the tenant's credentials, into the audit log.

    `observe_all` writes the records of calls made side by side in one statement.
    """

    def __init__(self, tenant: Tenant, actor: Person | None) -> None:
        self.tenant, self.actor = tenant, actor

    def _event(self, record: CallRecord) -> AuditEvent:
        return audit.event(
            tenant=self.tenant,
            kind=AuditEvent.Kind.CREDENTIAL_USE,
            operation=record.operation,
            actor=self.actor,
            actor_email="" if self.actor else BACKGROUND_ACTOR,
            subject_email=record.subject_email,
            outcome=record.outcome,
            latency_ms=record.latency_ms,
            detail=record.detail,
        )

    def __call__(self, record: CallRecord) -> None:
        self._event(record).save()

    def observe_all(self, records: list[CallRecord]) -> None:
        AuditEvent.objects.bulk_create([self._event(record) for record in records])


def audit_observer(tenant: Tenant, actor: Person | None) -> CallObserver:
    return AuditObserver(tenant, actor)


# Keys already opened by this process, so a request does not decrypt the key again. The entry
# is found only by the exact sealed text, row, version and encryption keys that opened it: a new
# key, a re-sealed one or other encryption keys miss it. It lives in memory only.
_opened: dict[tuple, dict[str, str]] = {}
_opened_lock = threading.Lock()
_OPENED_MAX = 256


def open_key(credential: Credential) -> dict[str, str]:
    """The decrypted key; re-sealed under the newest encryption key if an older one sealed it."""
    encryption_keys = tuple(settings.MEETBRIDGE["ENCRYPTION_KEYS"])
    found = (credential.pk, credential.version, credential.sealed_key, encryption_keys)
    with _opened_lock:
        fields = _opened.get(found)
    if fields is not None:
        return dict(fields)
    keys = vault()
    fields = keys.open(credential.sealed_key, bound_to=credential.bound_to)
    if not keys.is_sealed_with_newest(credential.sealed_key):
        credential.sealed_key = keys.reseal(credential.sealed_key)
        Credential.objects.filter(pk=credential.pk).update(sealed_key=credential.sealed_key)
        return fields
    with _opened_lock:
        if len(_opened) >= _OPENED_MAX:
            _opened.clear()
        _opened[found] = dict(fields)
    return fields


def build_provider(credential: Credential, *, actor: Person | None) -> CalendarProvider:
    integration = credential.integration
    return GoogleWorkspaceProvider(
        key=open_key(credential),
        credential_key=credential.cache_key,
        config=google_config(),
        observe=audit_observer(integration.tenant, actor),
    )


def provider_for(tenant: Tenant, actor: Person | None) -> CalendarProvider:
    """The tenant's calendar provider, acting for `actor`; NotConnected if not verified."""
    credential = credential_in_service(tenant)
    if credential is None:
        raise NotConnected()
    try:
        return build_provider(credential, actor=actor)
    except VaultError as exc:
        log.error("Tenant %s: its stored key cannot be opened (%s)", tenant.slug, exc)
        raise NotConnected(
            "Your organisation's stored calendar key cannot be read; a tenant admin must save "
            "it again on the Integrations page."
        ) from None


# --- checking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    status: str
    problem: dict[str, str] | None
    next_delay: timedelta | None


def _acting_admin(credential: Credential) -> Person | None:
    """Verification impersonates the admin who saved the key, or else another admin."""
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
        return ProviderError(
            "key_unreadable",
            "The stored key cannot be decrypted with this installation's encryption keys.",
            fix="Save the JSON key file again; if this repeats, tell the operator of this "
            "meetbridge installation (MEETBRIDGE_ENCRYPTION_KEYS changed).",
        )
    try:
        provider.verify(as_email=admin.email)
    except ProviderError as exc:
        return exc
    return None


def check_credential(
    credential_id: int, check_round: int, *, now: datetime | None = None
) -> CheckResult | None:
    """Verify one key against Google and record the outcome.

    None when the check no longer applies (key replaced or deleted, or a newer round of
    checks started meanwhile). No database lock is held while Google is asked.
    """
    credential = (
        Credential.objects.select_related("integration__tenant", "saved_by")
        .filter(pk=credential_id, check_round=check_round)
        .first()
    )
    if credential is None:
        return None
    failure = _verify(credential)
    now = now or timezone.now()
    with transaction.atomic():
        current = Credential.objects.select_for_update().filter(
            pk=credential_id, check_round=check_round
        )
        credential = current.select_related("integration__tenant").first()
        if credential is None:
            return None
        previous = (credential.status, credential.problem_code)
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


def _audit_transition(credential: Credential, previous: tuple[str, str]) -> None:
    if (credential.status, credential.problem_code) == previous:
        return  # an unchanged re-check adds only its Google calls to the log
    tenant = credential.integration.tenant
    if credential.status == Credential.Status.VERIFIED:
        _change(tenant, None, "integration.verified", detail=credential.client_email)
    else:
        _change(
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
