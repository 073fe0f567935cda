from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from meetbridge.api.schemas import ErrorOut
from meetbridge.audit.models import AuditEvent
from meetbridge.tenants.api import admin_caller

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: datetime
    kind: str
    actor: str
    on_behalf_of: str
    operation: str
    outcome: str
    latency_ms: int | None
    detail: str


class AuditQuery(Schema):
    limit: int = Field(100, description="entries per page; below 1 reads as 1, above 500 as 500")
    before_id: int | None = Field(
        None, description="the `id` of the last entry of the previous page"
    )


@router.get(
    "/audit",
    response={200: list[AuditEventOut], 401: ErrorOut, 403: ErrorOut},
    summary="Every use of the tenant's credentials and every integration change, newest first",
)
def audit(request: HttpRequest, query: Query[AuditQuery]):
    person = admin_caller(request)
    # By id: the order entries were written, which is also what `before_id` pages through.
    events = AuditEvent.objects.filter(tenant=person.tenant).order_by("-id")
    if query.before_id:
        events = events.filter(id__lt=query.before_id)
    limit = max(1, min(query.limit, 500))
    return [
        {
            "id": e.id,
            "at": e.at,
            "kind": e.kind,
            "actor": e.actor_email,
            "on_behalf_of": e.subject_email,
            "operation": e.operation,
            "outcome": e.outcome,
            "latency_ms": e.latency_ms,
            "detail": e.detail,
        }
        for e in events[:limit]
    ]
