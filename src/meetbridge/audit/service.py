"""Writing the audit log. Callers pass names and outcomes, never secrets.

Changes (to an integration, to consent) are written at once, inside the caller's transaction.
Uses of the tenant's credentials, the entries of the hot path (one or more per availability
request), are collected while a request runs and written in one statement when it ends, before
its answer leaves the server (`collected()`, entered by `AuditMiddleware`): a request that is
answered has its entries stored, and one that is not (a crash before the write) was never
answered. Outside a request (background jobs, commands) they are written at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.db import DatabaseError, transaction

from meetbridge import rows
from meetbridge.audit.models import AuditEvent

T = TypeVar("T")

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


def committed_with_collected(work: Callable[[], T]) -> T:
    """`work()` in a transaction (meant as the outermost) that first writes the entries this
    request has collected so far, so that they commit together: one commit, one disk flush,
    instead of two. Should the database refuse the entries, `work()` runs in a transaction of
    its own and they stay collected for the end of the request, whose write then decides its
    answer as ever. Outside a request, or with nothing collected, just a transaction."""
    pending = _collecting.get()
    entries = list(pending or ())
    if not entries:
        with transaction.atomic():
            return work()
    refused = False
    try:
        with transaction.atomic():
            try:
                rows.insert(entries)
            except DatabaseError:
                refused = True
                raise
            done = work()
    except BaseException:  # nothing of it written: the entries stay for the end of the request
        if not refused:
            raise
        with transaction.atomic():
            return work()
    written = {id(entry) for entry in entries}
    pending[:] = [entry for entry in pending if id(entry) not in written]
    return done


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
