"""While the database or Redis cannot be reached: 503 with `Retry-After`, never a 500.

The API answers in its error shape, pages with a short "temporarily unavailable" page that
needs neither the database nor a template that reads the signed-in person. Three places route
such an error here: `OutageMiddleware.process_exception` (page views), the API's exception
handler (`api/app.py`) and `handler500` (`server_error`, for an error raised by a middleware,
such as the session being saved after the view).
"""

from __future__ import annotations

import logging
import sys

import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from meetbridge.api.errors import error_body

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)

# A string, not a template: it must render with the database down. A stylesheet file, not an
# inline style, for the Content-Security-Policy.
UNAVAILABLE_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Temporarily unavailable · meetbridge</title>
<link rel="stylesheet" href="/static/web/error.css"></head>
<body>
<main>
<h1>meetbridge is temporarily unavailable</h1>
<p>It cannot reach its storage just now. Nothing you did was lost; try again in a few seconds.</p>
<p><a href="">Try again</a></p>
</main>
</body>
</html>
"""


def is_outage(error: BaseException | None) -> bool:
    """The error, or one it was raised from, says a dependency cannot be reached."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def outage_response(request: HttpRequest) -> HttpResponse:
    log.warning("Dependency unreachable during %s %s", request.method, request.path)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            error_body(
                "service_unavailable",
                "meetbridge cannot reach its storage just now; nothing was changed. Try again "
                f"in {RETRY_AFTER_SECONDS} seconds.",
                retry_after=RETRY_AFTER_SECONDS,
            ),
            status=503,
        )
    else:
        response = HttpResponse(UNAVAILABLE_PAGE, status=503, content_type="text/html")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return outage_response(request) if is_outage(exception) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: called while the error is being handled, so it can still be looked at."""
    if is_outage(sys.exc_info()[1]):
        return outage_response(request)
    return defaults.server_error(request)
