"""Who is calling: a bearer token, or the browser session (with CSRF protection)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from meetbridge.tenants.models import ApiToken, Person


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        person = ApiToken.find_person(token)
        if person is None or person.tenant_id is None:
            return None
        request.user = person
        return person


class TenantSession(SessionAuth):
    """Django's session, for pages that call the API; ninja enforces CSRF for it."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Person | None:
        person = super().authenticate(request, key)
        if person is None or getattr(person, "tenant_id", None) is None:
            return None
        return person


AUTH = [BearerToken(), TenantSession()]


def caller(request: HttpRequest) -> Person:
    return request.auth
