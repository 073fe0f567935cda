from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from meetbridge.api.errors import error_body
from meetbridge.jobs.models import WorkerHeartbeat


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"person": request.user})


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and operators: the database answers, and when a worker last ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return JsonResponse({"status": "ok", "worker_seen_at": last.isoformat() if last else None})


def api_route_not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("not_found", "There is no such API route; see /api/v1/docs."), status=404
    )
