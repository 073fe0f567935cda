"""Keeps every /api/ failure in the contract's JSON error shape.

Django itself answers some failures before a view runs (405 from the router, 400 for an
oversized body, a bare 404): those would be HTML. This rewrites any non-JSON error under
/api/ into {"error": {"code", "message"}}.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse

from meetbridge.api.errors import error_body

MESSAGES = {
    400: ("bad_request", "The request could not be read; send JSON no larger than 256 KiB."),
    403: ("forbidden", "This request is not allowed; browser calls need a valid CSRF token."),
    404: ("not_found", "There is no such API route; see /api/v1/docs."),
    405: ("method_not_allowed", "That method is not allowed on this route; see /api/v1/docs."),
    413: ("too_large", "The request body is too large."),
}


class ApiErrorShapeMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        code, message = MESSAGES.get(
            response.status_code, ("error", "The request failed; see /api/v1/docs.")
        )
        if response.status_code >= 500:
            code, message = "internal_error", "Something went wrong on our side; try again shortly."
        shaped = HttpResponse(
            json.dumps(error_body(code, message)),
            status=response.status_code,
            content_type="application/json",
        )
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
