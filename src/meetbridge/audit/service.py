"""Writing the audit log. Callers pass names and outcomes, never secrets."""

from __future__ import annotations

from meetbridge.audit.models import AuditEvent


def record(**fields) -> AuditEvent:
    return AuditEvent.objects.create(**_fields(**fields))


def event(**fields) -> AuditEvent:
    """An unsaved record, for writing several in one statement."""
    return AuditEvent(**_fields(**fields))


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
