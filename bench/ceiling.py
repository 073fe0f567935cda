"""The ceiling: a bare Django view making the one upstream call an availability request needs.

Served by the same gunicorn as meetbridge, side by side: `gunicorn bench.ceiling:application`
with `CEILING_FREEBUSY_URL` and `CEILING_TOKEN` set. No database, no authentication, no audit,
no slot computation: what remains is Django, gunicorn and one freeBusy round trip, the most any
availability endpoint on this machine can serve.
"""

from __future__ import annotations

import os

import requests
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="bench-ceiling-only",  # noqa: S105 - no session, no signing: never used
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
)

import django  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

django.setup()
_http = requests.Session()
_http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=100))


def availability(request):
    body = {
        "timeMin": request.GET["start"],
        "timeMax": request.GET["end"],
        "items": [{"id": e} for e in request.GET.getlist("with")],
    }
    answer = _http.post(
        os.environ["CEILING_FREEBUSY_URL"],
        json=body,
        headers={"Authorization": f"Bearer {os.environ['CEILING_TOKEN']}"},
        timeout=30,
    )
    return JsonResponse(
        {"status": answer.status_code, "calendars": len(answer.json()["calendars"])}
    )


def healthz(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("api/v1/availability", availability), path("healthz", healthz)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
