"""The typed JSON API at /api/v1/: one NinjaAPI, one router per domain app."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from meetbridge.api.auth import AUTH
from meetbridge.api.errors import ApiError, describe_validation_errors, error_body
from meetbridge.api.openapi import add_common_answers
from meetbridge.api.outage import is_outage, outage_response
from meetbridge.api.text import is_valid_text
from meetbridge.tenants.rules import RuleViolation

log = logging.getLogger(__name__)


class TextCheckingParser(Parser):
    """Query strings arrive decoded by Django, but may still carry a NUL, which PostgreSQL
    cannot store or compare: refused before any view sees it. (Bodies: api.schemas.)"""

    def parse_querydict(self, data, list_fields, request):
        for name, values in data.lists():
            if not is_valid_text(name) or not all(is_valid_text(v) for v in values):
                raise ApiError(
                    422,
                    "invalid_request",
                    f"The query parameter {name!r} holds a NUL or other character that is not "
                    "text.",
                )
        return super().parse_querydict(data, list_fields, request)


class MeetbridgeApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return add_common_answers(super().get_openapi_schema(*args, **kwargs))


api = MeetbridgeApi(
    parser=TextCheckingParser(),
    title="meetbridge API",
    version="1",
    description=(
        "Book meetings with colleagues on your organisation's Google Workspace calendars. "
        "Authenticate with `Authorization: Bearer TOKEN` (from `meetbridge apitoken`) or the "
        'browser session. Every error is `{"error": {"code", "message"}}`.'
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_request",
    429: "rate_limited",
}


def _error(request: HttpRequest, status: int, code: str, message: str, **extra) -> HttpResponse:
    return api.create_response(request, error_body(code, message, **extra), status=status)


@api.exception_handler(ApiError)
def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    response = api.create_response(request, exc.body(), status=exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(RuleViolation)
def on_rule_violation(request: HttpRequest, exc: RuleViolation) -> HttpResponse:
    return _error(request, 422, exc.code, exc.message)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, "invalid_request", describe_validation_errors(exc.errors))


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "unauthenticated",
        "Sign in, or send 'Authorization: Bearer TOKEN' with a token from 'meetbridge apitoken'.",
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = STATUS_CODES.get(exc.status_code, "error")
    return _error(request, exc.status_code, code, str(exc.message))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "That resource does not exist or is not yours to see.")


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "too_large", "The request body is too large (at most 256 KiB).")


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Too many query parameters or form fields, a malformed multipart body and the like.
    return _error(
        request,
        400,
        "bad_request",
        "The request could not be read: at most 1000 parameters or fields, in a well-formed "
        "request.",
    )


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if is_outage(exc):
        return outage_response(request)  # 503 with Retry-After: the database or Redis is down
    log.exception("Unhandled error in %s %s", request.method, request.path)
    return _error(
        request, 500, "internal_error", "Something went wrong on our side; try again shortly."
    )


def _register_routers() -> None:
    from meetbridge.accounts.api import router as accounts_router
    from meetbridge.audit.api import router as audit_router
    from meetbridge.integrations.api import router as integrations_router
    from meetbridge.meetings.api import router as meetings_router
    from meetbridge.scheduling.api import router as scheduling_router
    from meetbridge.tenants.api import router as tenants_router

    api.add_router("/", accounts_router)
    api.add_router("/", tenants_router)
    api.add_router("/", integrations_router)
    api.add_router("/", audit_router)
    api.add_router("/", scheduling_router)
    api.add_router("/", meetings_router)


_register_routers()
