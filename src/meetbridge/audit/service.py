"""Writing the audit log. Callers pass names and outcomes, never secrets.

Changes (to an integration, to consent) are written at once, inside the caller's transaction.
Uses of the tenant's credentials, the entries of the hot path (one or more per availability
request), are collected while a request runs and written in one statement when it ends, before
its answer leaves the server (`collected()`, entered by `AuditMiddleware`): a request that is
answered has its entries stored, and one that is not (a crash before the write) was never
answered. Outside a request (background jobs, commands) they are written at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from meetbridge import rows
from meetbridge.audit.models import AuditEvent

_collecting: ContextVar[list[AuditEvent] | None] = ContextVar("audit_collecting", default=None)


def record(**fields) -> AuditEvent:
    return AuditEvent.objects.create(**_fields(**fields))


def event(**fields) -> AuditEvent:
    """An unsaved record, for writing several in one statement."""
    return AuditEvent(**_fields(**fields))


def credential_use(*events: AuditEvent) -> None:
    """Entries of calls made with a tenant's credentials (or answers reused instead of one):
    kept for the end of the request when one is running, else written now."""
    pending = _collecting.get()
    if pending is not None:
        pending.extend(events)
    elif len(events) == 1:
        events[0].save()
    elif events:
        AuditEvent.objects.bulk_create(events)


@contextmanager
def collected() -> Iterator[None]:
    """Collects credential-use entries while the block runs; writes them in one statement at
    its end, whether it succeeded or failed (the calls were made either way)."""
    pending: list[AuditEvent] = []
    token = _collecting.set(pending)
    try:
        yield
    finally:
        _collecting.reset(token)
        if pending:
            rows.insert(pending)


@contextmanager
def kept(into: list[AuditEvent]) -> Iterator[None]:
    """Credential-use entries made in the block go to `into`, unwritten: for a thread that only
    calls a provider on a request's behalf, whose entries the request's own thread (where its
    database connection lives) then passes to `credential_use`."""
    token = _collecting.set(into)
    try:
        yield
    finally:
        _collecting.reset(token)


def _fields(
    *,
    tenant,
    kind: str,
    operation: str,
    actor=None,
    actor_email: str = "",
    subject_email: str = "",
    outcome: str = "ok",
    latency_ms: int | None = None,
    detail: str = "",
) -> dict:
    return dict(
        tenant=tenant,
        kind=kind,
        operation=operation[:64],
        actor=actor,
        actor_email=(getattr(actor, "email", "") or actor_email)[:254],
        subject_email=subject_email[:254],
        outcome=outcome[:64],
        latency_ms=latency_ms,
        detail=detail[:500],
    )
