"""An API route that does not exist answers 404 in the error shape, whatever the caller sends."""

from __future__ import annotations

import pytest
from django.test import Client

from meetbridge.tenants.models import ApiToken

METHODS = ["get", "post", "put", "patch", "delete"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v2/meetings", "/api/nope/deeper"])
def test_an_unknown_route_is_404_with_a_valid_token_and_csrf_checked(member, method, path):
    _, token = ApiToken.issue(member)
    client = Client(enforce_csrf_checks=True)
    body = {} if method == "get" else "{}"
    response = getattr(client, method)(
        path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", METHODS)
def test_an_unknown_route_is_404_without_any_authentication(db, method):
    response = getattr(Client(enforce_csrf_checks=True), method)("/api/v1/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
