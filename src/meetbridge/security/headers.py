"""Answers about a signed-in person are never kept by a browser or a shared cache.

Django's SecurityMiddleware sends HSTS (over TLS), nosniff and the Referrer-Policy; the
clickjacking middleware denies framing; django-csp sends the Content-Security-Policy. What
none of them does is keep private answers out of caches: every API answer, and every page
shown to a signed-in person, gets `Cache-Control: no-store, private`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


def is_private(request: HttpRequest) -> bool:
    if request.path.startswith("/api/"):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateAnswersMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_private(request):
            patch_cache_control(response, no_store=True, private=True)
        return response
