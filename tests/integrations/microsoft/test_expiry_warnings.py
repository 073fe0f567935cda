"""A Microsoft client secret close to expiry: a banner on the page, one audit entry per threshold."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from meetbridge.audit.models import AuditEvent
from meetbridge.integrations.connection import save_key
from meetbridge.integrations.expiring import OPERATION, warn_due
from meetbridge.integrations.models import Credential
from meetbridge.integrations.status import page_state

TENANT, CLIENT = "8f1c7a2e-1111-4b2b-9c3d-000000000001", "0a1b2c3d-2222-4e5f-8a9b-000000000002"


@pytest.fixture
def expiring(tenant, admin):
    expires = timezone.now() + timedelta(days=6, hours=12)
    credential = save_key(
        tenant=tenant, actor=admin, provider="microsoft",
        raw_key={"tenant_id": TENANT, "client_id": CLIENT, "client_secret": "abc8Q~s3cret-value", "expires_at": expires.isoformat()},
    )  # fmt: skip
    Credential.objects.filter(pk=credential.pk).update(
        in_service=True, status=Credential.Status.VERIFIED
    )
    return credential, expires


def _warnings(tenant):
    return list(
        AuditEvent.objects.filter(tenant=tenant, operation=OPERATION).values_list(
            "outcome", flat=True
        )
    )


@pytest.mark.django_db
def test_the_page_shows_a_banner_within_thirty_days(tenant, expiring):
    warning = page_state(tenant).expiry_warning
    assert "Microsoft 365 app credential expires on" in warning and "in 7 days" in warning


@pytest.mark.django_db
def test_one_audit_entry_per_threshold(tenant, expiring):
    _, expires = expiring
    now = timezone.now()
    assert warn_due(now) == 1 and warn_due(now) == 0
    assert _warnings(tenant) == ["7d"]
    assert warn_due(expires - timedelta(hours=12)) == 1
    assert warn_due(expires + timedelta(minutes=1)) == 1
    assert sorted(_warnings(tenant)) == ["0d", "1d", "7d"]
    shown = " ".join(
        AuditEvent.objects.filter(operation=OPERATION).values_list("detail", flat=True)
    )
    assert "s3cret" not in shown and CLIENT in shown


@pytest.mark.django_db
def test_nothing_far_from_expiry(tenant, expiring):
    _, expires = expiring
    assert warn_due(expires - timedelta(days=40)) == 0
