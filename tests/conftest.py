"""Fixtures shared by every test: tenants, people and an API client that signs requests."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from meetbridge.tenants.models import ApiToken, Person, Tenant
from meetbridge.tenants.service import add_person, create_tenant

# `sandbox`: the Google Workspace sandbox, one server per session, wiped before each test.
# `google_settings`, `jobs`, `workspace`, `connected`: see tests/integrations/support.py.
# `team`, `make_team`: a connected tenant whose members granted calendar access (tests/team.py).
# Property tests never bet on the machine's speed: on a busy shared machine input generation
# and examples run slower, which must not fail a test.
settings.register_profile(
    "any-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("any-machine")

pytest_plugins = [
    "workspace_sandbox.testing",
    "tests.integrations.support",
    "tests.team",
    "tests.browser",
]


@dataclass
class ApiClient:
    """Calls /api/v1/ as one person, with their bearer token."""

    client: Client
    token: str

    def _headers(self, headers: dict | None) -> dict:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}", **(headers or {})}

    def get(self, path: str, params: dict | None = None, **headers):
        return self.client.get(f"/api/v1{path}", params or {}, **self._headers(headers))

    def delete(self, path: str, **headers):
        return self.client.delete(f"/api/v1{path}", **self._headers(headers))

    def _send(self, method: str, path: str, body, headers):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return getattr(self.client, method)(
            f"/api/v1{path}", data, content_type="application/json", **self._headers(headers)
        )

    def post(self, path: str, body=None, **headers):
        return self._send("post", path, body if body is not None else {}, headers)

    def put(self, path: str, body=None, **headers):
        return self._send("put", path, body if body is not None else {}, headers)

    def patch(self, path: str, body=None, **headers):
        return self._send("patch", path, body if body is not None else {}, headers)


def api_as(person: Person) -> ApiClient:
    _, raw = ApiToken.issue(person)
    return ApiClient(Client(), raw)


@pytest.fixture
def tenant(db) -> Tenant:
    return create_tenant(slug="acme", name="Acme", domain="acme.test", time_zone="America/Toronto")


@pytest.fixture
def other_tenant(db) -> Tenant:
    return create_tenant(slug="globex", name="Globex", domain="globex.test")


@pytest.fixture
def admin(tenant) -> Person:
    return add_person(
        tenant=tenant, email="ana@acme.test", name="Ana", admin=True, password="x" * 12
    )


@pytest.fixture
def member(tenant) -> Person:
    return add_person(tenant=tenant, email="ben@acme.test", name="Ben", password="x" * 12)


@pytest.fixture
def admin_api(admin) -> ApiClient:
    return api_as(admin)


@pytest.fixture
def member_api(member) -> ApiClient:
    return api_as(member)
