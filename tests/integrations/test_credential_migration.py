"""Migration 0002: stored Google credentials keep opening, their identifiers move into `public`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from meetbridge.integrations.access import open_key, vault
from meetbridge.integrations.models import Credential

BEFORE = [("integrations", "0001_initial")]
AFTER = [("integrations", "0002_generic_credential")]
PUBLIC = {
    "client_email": "calendar@acme-cal.iam.gserviceaccount.com",
    "client_id": "104223344556677889900",
    "project_id": "acme-cal",
    "private_key_id": "0123456789abcdef0123456789abcdef01234567",
}
SECRET = {"private_key": "-----BEGIN PRIVATE KEY-----\n...", **PUBLIC}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def leaf_targets():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def old_credential(apps, tenant_id):
    Integration = apps.get_model("integrations", "Integration")
    Credential = apps.get_model("integrations", "Credential")
    integration = Integration.objects.create(tenant_id=tenant_id, provider="google", key_versions=1)
    sealed = vault().seal(SECRET, bound_to=f"tenant:{tenant_id}:key:{PUBLIC['private_key_id']}")
    return Credential.objects.create(
        integration=integration, version=1, in_service=True, status="verified",
        sealed_key=sealed, **PUBLIC,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_existing_google_rows_move_into_public_and_still_open(tenant):
    try:
        apps = migrate(BEFORE)
        old = old_credential(apps, tenant.id)
        migrate(leaf_targets())

        credential = Credential.objects.get(pk=old.pk)
        assert credential.public == PUBLIC
        assert credential.secret_id == PUBLIC["private_key_id"]
        assert credential.provider == "google"
        assert credential.conf.client_email == PUBLIC["client_email"]
        assert open_key(credential) == SECRET  # the seal is bound to the same text as before
    finally:
        migrate(leaf_targets())


@pytest.mark.django_db(transaction=True)
def test_going_back_restores_the_columns(tenant):
    try:
        apps = migrate(BEFORE)
        old_credential(apps, tenant.id)
        migrate(AFTER)
        apps = migrate(BEFORE)

        restored = apps.get_model("integrations", "Credential").objects.get()
        assert {name: getattr(restored, name) for name in PUBLIC} == PUBLIC
        bound_to = f"tenant:{tenant.id}:key:{PUBLIC['private_key_id']}"
        assert vault().open(restored.sealed_key, bound_to=bound_to) == SECRET
    finally:
        migrate(leaf_targets())
