"""/api/v1/audit: every use of the tenant's credentials and every integration change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.integrations.access import provider_for
from meetbridge.tenants.service import add_person
from tests.conftest import api_as

NOW = datetime.now(UTC)


@pytest.mark.django_db
def test_members_may_not_read_the_audit_log(member_api):
    assert member_api.get("/audit").status_code == 403


@pytest.mark.django_db
def test_the_log_shows_changes_and_uses_newest_first(admin_api, tenant, admin, member, connected):
    provider_for(tenant, member).free_busy(
        as_email=member.email, emails=[admin.email], start=NOW, end=NOW + timedelta(hours=1)
    )
    entries = admin_api.get("/audit").json()
    assert [(e["kind"], e["operation"]) for e in entries] == [
        ("credential_use", "calendar.freebusy.query"),
        ("credential_use", "oauth2.token"),
        ("integration_change", "integration.verified"),
        ("credential_use", "calendar.freebusy.query"),
        ("credential_use", "oauth2.token"),
        ("integration_change", "integration.key_saved"),
    ]
    use = entries[0]
    assert (use["actor"], use["on_behalf_of"], use["outcome"]) == (member.email, member.email, "ok")
    assert use["latency_ms"] is not None
    background = entries[3]
    assert background["actor"] == "meetbridge (automatic check)"
    assert background["on_behalf_of"] == admin.email  # verification acts as the admin who saved
    saved = entries[-1]
    assert saved["actor"] == admin.email
    assert connected.client_email in saved["detail"]


@pytest.mark.django_db
def test_the_log_pages_backwards(admin_api, connected):
    everything = admin_api.get("/audit").json()
    first_page = admin_api.get("/audit", {"limit": 2}).json()
    second_page = admin_api.get("/audit", {"limit": 2, "before_id": first_page[-1]["id"]}).json()
    assert first_page + second_page == everything[:4]


@pytest.mark.django_db
def test_another_tenants_admin_sees_none_of_it(other_tenant, connected):
    outsider = add_person(tenant=other_tenant, email="olga@globex.test", admin=True)
    assert api_as(outsider).get("/audit").json() == []
