"""Each request's credential-use audit entries, written in one statement before it is answered."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from meetbridge.audit.service import collected


class AuditMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The write happens here, inside the middleware chain: the server sends nothing until
        # this returns, so no answered request lacks its entries.
        with collected():
            return self.get_response(request)
