"""Personal API tokens: created and shown once, listed with hint and last use, revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meetbridge.tenants.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(token):
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_create_list_use_and_revoke(member_api, member):
    created = member_api.post("/me/tokens", {"name": "CI", "expires_in_days": 30})
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith("mb_") and body["hint"] == body["token"][:10]
    assert body["expires_at"] is not None
    assert bearer(body["token"]).status_code == 200
    listed = {t["name"]: t for t in member_api.get("/me/tokens").json()}
    assert "token" not in listed["CI"] and listed["CI"]["last_used_at"] is not None
    assert member_api.delete(f"/me/tokens/{body['id']}").status_code == 204
    assert bearer(body["token"]).status_code == 401
    assert member_api.delete(f"/me/tokens/{body['id']}").status_code == 404


def test_expired_tokens_are_refused(member):
    token, raw = ApiToken.issue(
        member, name="old", expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert bearer(raw).status_code == 401


def test_someone_elses_token_cannot_be_revoked(member_api, admin_api):
    theirs = admin_api.post("/me/tokens", {"name": "admin's"}).json()
    assert member_api.delete(f"/me/tokens/{theirs['id']}").status_code == 404
    assert bearer(theirs["token"]).status_code == 200


@pytest.mark.parametrize(
    "body", [{"name": ""}, {"name": "x" * 101}, {"name": "ok", "expires_in_days": 0}, {}]
)
def test_bad_input_is_422(member_api, body):
    response = member_api.post("/me/tokens", body)
    assert response.status_code == 422 and "error" in response.json()


def test_the_tokens_page_shows_a_new_token_once_and_revokes(client, member):
    client.force_login(member)
    created = client.post("/settings/api-tokens", {"name": "script", "expires_in_days": ""})
    html = created.content.decode()
    raw = html.split('id="new-token-value" readonly value="', 1)[1].split('"', 1)[0]
    assert bearer(raw).status_code == 200
    again = client.get("/settings/api-tokens").content.decode()
    assert raw not in again and raw[:10] in again
    token = ApiToken.objects.get(person=member, name="script")
    client.post("/settings/api-tokens", {"revoke": token.id})
    assert bearer(raw).status_code == 401
