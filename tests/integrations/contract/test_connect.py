"""Connecting each provider through the API: stored sealed, verified, shown by public fields only."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.audit.models import AuditEvent
from meetbridge.integrations import registry
from meetbridge.integrations.access import provider_for
from meetbridge.integrations.models import Credential
from meetbridge.integrations.verification import check_credential


@pytest.mark.django_db
def test_a_credential_put_through_the_api_verifies_and_serves(world, admin_api, tenant, member):
    response = admin_api.put("/integration", world.api_body)
    assert response.status_code == 202, response.content
    assert response.json()["provider"] == world.name
    assert response.json()["status"] == "pending"

    credential = Credential.objects.get()
    assert check_credential(credential.id, credential.check_round).status == "verified"

    body = admin_api.get("/integration").json()
    kind = registry.kind(world.name)
    assert body["status"] == "verified" and body["scopes"] == list(kind.scopes)
    assert body[kind.api_field] == kind.conf.model_validate(credential.public).model_dump(
        mode="json"
    )
    others = {k.api_field for k in registry.all_kinds()} - {kind.api_field}
    assert all(body[field] is None for field in others)

    now = datetime.now(UTC)
    found = provider_for(tenant, member).free_busy(
        as_email=member.email, emails=[member.email], start=now, end=now + timedelta(hours=1)
    )
    assert member.email in found.busy

    shown = json.dumps(body) + json.dumps(
        list(AuditEvent.objects.values("operation", "detail", "outcome"))
    )
    assert not any(text in shown for text in world.secret_texts)


@pytest.mark.django_db
def test_a_body_without_the_credential_is_refused_and_nothing_stored(world, admin_api):
    response = admin_api.put("/integration", {"provider": world.name})
    assert response.status_code == 422
    assert set(response.json()["error"]) == {"code", "message"}
    assert not Credential.objects.exists()


@pytest.mark.django_db
def test_a_credential_with_a_stray_field_is_refused(world, admin_api):
    response = admin_api.put("/integration", {**world.api_body, "stray": "x"})
    assert response.status_code == 422
    assert not Credential.objects.exists()
