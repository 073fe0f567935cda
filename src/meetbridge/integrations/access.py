"""Using a tenant's integration: its provider, the stored secret opened, every call audited.

Other apps need one function from here: `provider_for(tenant, actor)`, the tenant's calendar
provider acting for `actor` (a Person), every call it makes written to the audit log. It
raises `NotConnected` while the tenant has no verified integration.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings

from meetbridge.audit import service as audit
from meetbridge.audit.models import AuditEvent
from meetbridge.integrations.models import Credential
from meetbridge.integrations.provider import (
    CalendarProvider,
    CallObserver,
    CallRecord,
    NotConnected,
)
from meetbridge.integrations.vault import Vault, VaultError
from meetbridge.tenants.models import Person, Tenant

log = logging.getLogger(__name__)

BACKGROUND_ACTOR = "meetbridge (automatic check)"


def vault() -> Vault:
    return Vault(settings.MEETBRIDGE["ENCRYPTION_KEYS"])


def credential_in_service(tenant: Tenant) -> Credential | None:
    return (
        Credential.objects.select_related("integration__tenant")
        .filter(integration__tenant=tenant, in_service=True, status=Credential.Status.VERIFIED)
        .first()
    )


def audit_change(
    tenant: Tenant, actor: Person | None, operation: str, *, outcome="ok", detail=""
) -> None:
    """One change to the integration (a key saved, checked, verified, deleted) in the log."""
    audit.record(
        tenant=tenant,
        kind=AuditEvent.Kind.INTEGRATION_CHANGE,
        operation=operation,
        actor=actor,
        actor_email="" if actor else BACKGROUND_ACTOR,
        outcome=outcome,
        detail=detail,
    )


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
        audit.credential_use(self._event(record))

    def observe_all(self, records: list[CallRecord]) -> None:
        audit.credential_use(*(self._event(record) for record in records))


def audit_observer(tenant: Tenant, actor: Person | None) -> CallObserver:
    return AuditObserver(tenant, actor)


# Keys already opened by this process, so a request does not decrypt the key again. The entry
# is found only by the exact sealed text, row, version and encryption keys that opened it: a new
# key, a re-sealed one or other encryption keys miss it. It lives in memory only.
_opened: dict[tuple, dict[str, Any]] = {}
_opened_lock = threading.Lock()
_OPENED_MAX = 256


def open_key(credential: Credential) -> dict[str, Any]:
    """The decrypted key; re-sealed under the newest encryption key if an older one sealed it."""
    encryption_keys = tuple(settings.MEETBRIDGE["ENCRYPTION_KEYS"])
    found = (credential.pk, credential.version, credential.sealed_secret, encryption_keys)
    with _opened_lock:
        fields = _opened.get(found)
    if fields is not None:
        return dict(fields)
    keys = vault()
    fields = keys.open(credential.sealed_secret, bound_to=credential.bound_to)
    if not keys.is_sealed_with_newest(credential.sealed_secret):
        credential.sealed_secret = keys.reseal(credential.sealed_secret)
        Credential.objects.filter(pk=credential.pk).update(sealed_secret=credential.sealed_secret)
        return fields
    with _opened_lock:
        if len(_opened) >= _OPENED_MAX:
            _opened.clear()
        _opened[found] = dict(fields)
    return fields


def build_provider(credential: Credential, *, actor: Person | None) -> CalendarProvider:
    """The credential's provider; VaultError when its sealed secret cannot be opened."""
    kind = credential.kind  # a credential of the provider chosen before serves until replaced
    return kind.build(
        secret=open_key(credential),
        config=kind.config_from(settings.MEETBRIDGE),
        observe=audit_observer(credential.integration.tenant, actor),
        token_scope=credential.cache_key,
    )


# The credential in service of each tenant, kept briefly by each process: nearly every request
# uses it, and reading it is a query. A change to a credential, an integration or a tenant
# saved in this process drops every entry at once (`forget_credentials_in_service`, connected
# in apps.py); other server processes notice a change within REUSE_CREDENTIAL_SECONDS.
REUSE_CREDENTIAL_SECONDS = 5.0
_in_service: dict[int, tuple[float, Credential]] = {}
_in_service_lock = threading.Lock()
_clock = time.monotonic  # tests move it


def forget_credentials_in_service(**_signal) -> None:
    with _in_service_lock:
        _in_service.clear()


def _credential_for_calls(tenant: Tenant) -> Credential | None:
    now = _clock()
    with _in_service_lock:
        kept = _in_service.get(tenant.pk)
    if kept is not None and now - kept[0] < REUSE_CREDENTIAL_SECONDS:
        return kept[1]
    credential = credential_in_service(tenant)
    if credential is not None:  # "not connected" is never kept: connecting shows at once
        with _in_service_lock:
            _in_service[tenant.pk] = (now, credential)
    return credential


def provider_for(tenant: Tenant, actor: Person | None) -> CalendarProvider:
    """The tenant's calendar provider, acting for `actor`; NotConnected if not verified."""
    credential = _credential_for_calls(tenant)
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
