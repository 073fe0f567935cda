from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from meetbridge.api.errors import error_body


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"person": request.user})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def api_route_not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("not_found", "There is no such API route; see /api/v1/docs."), status=404
    )
