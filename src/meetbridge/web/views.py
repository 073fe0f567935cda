from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from meetbridge.api.errors import error_body
from meetbridge.audit.models import AuditEvent
from meetbridge.jobs.models import WorkerHeartbeat
from meetbridge.scheduling.consent import time_zone_of
from meetbridge.web import dashboard, health
from meetbridge.web.access import admin_page, member_page
from meetbridge.web.presenters import operation_words, outcome_tone

AUDIT_PAGE_SIZE = 50


@member_page
def home(request: HttpRequest) -> HttpResponse:
    person = request.user
    context = {
        "person": person,
        "viewer_zone": time_zone_of(person),
        "me": dashboard.my_calendar(person),
        "upcoming": dashboard.upcoming_meetings(person),
        "connected": dashboard.integration_summary(person.tenant)["status"] == "verified",
    }
    if person.is_tenant_admin:
        context["admin"] = dashboard.admin_overview(person.tenant)
    return render(request, "web/home.html", context)


AUDIT_KINDS = [("", "Everything")] + list(AuditEvent.Kind.choices)


def _audit_page(tenant, kind: str, before: str | None) -> tuple[list[AuditEvent], bool]:
    """One page of the tenant's audit log, newest first, starting below the event `before`."""
    events = AuditEvent.objects.filter(tenant=tenant).order_by("-at", "-id")
    if kind:
        events = events.filter(kind=kind)
    # isdigit() alone admits '²' and other digits int() refuses.
    if before and before.isascii() and before.isdigit() and len(before) <= 18:
        cursor = AuditEvent.objects.filter(tenant=tenant, id=int(before)).first()
        if cursor is not None:
            events = events.filter(Q(at__lt=cursor.at) | Q(at=cursor.at, id__lt=cursor.id))
    page = list(events[: AUDIT_PAGE_SIZE + 1])
    return page[:AUDIT_PAGE_SIZE], len(page) > AUDIT_PAGE_SIZE


@admin_page
def audit(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in dict(AUDIT_KINDS):
        kind = ""
    before = request.GET.get("before")
    events, has_older = _audit_page(request.user.tenant, kind, before)
    rows = [
        {
            "event": e,
            "what": operation_words(e.operation),
            "tone": outcome_tone(e.outcome),
        }
        for e in events
    ]
    return render(
        request,
        "web/audit.html",
        {
            "rows": rows,
            "kind": kind,
            "kinds": AUDIT_KINDS,
            "is_first_page": not before,
            "older_cursor": events[-1].id if has_older and events else None,
            "viewer_zone": time_zone_of(request.user),
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and operators: whether each dependency answers (503 when one does
    not, saying which), and when a worker last ran."""
    checks = health.check_dependencies()
    healthy = health.all_up(checks)
    body = {"status": "ok" if healthy else "unavailable", **checks, "worker_seen_at": None}
    if checks["database"] == "ok":
        last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)
        seen = last.first()
        body["worker_seen_at"] = seen.isoformat() if seen else None
    response = JsonResponse(body, status=200 if healthy else 503)
    if not healthy:
        response["Retry-After"] = str(health.RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt  # nothing is changed here: a 404 answers whatever the credentials
def api_route_not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("not_found", "There is no such API route; see /api/v1/docs."), status=404
    )
