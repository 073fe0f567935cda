"""The admin's Members and Audit pages, and who may open them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from meetbridge.audit.models import AuditEvent
from meetbridge.audit.service import record
from meetbridge.scheduling.models import CalendarAccess
from meetbridge.tenants.service import add_person
from meetbridge.web.views import AUDIT_PAGE_SIZE

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["/members", "/audit"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_member_is_refused_with_a_readable_403_page(client, member, path):
    client.force_login(member)
    response = client.get(path)
    assert response.status_code == 403
    html = response.content.decode()
    assert "You cannot open this page" in html
    assert "This page is for tenant admins" in html


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_strangers_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in")


def test_members_lists_each_person_with_role_and_access(client, admin, member):
    CalendarAccess.objects.create(
        person=member,
        granted=True,
        time_zone="Europe/Paris",
        working_hours={"mon": [["08:00", "16:00"]]},
    )
    client.force_login(admin)
    html = client.get("/members").content.decode()
    assert "1</strong> of 2 people have granted calendar access" in html
    assert "ben@acme.test" in html and "ana@acme.test" in html
    assert "Tenant admin" in html and "Member" in html
    assert "Europe/Paris" in html and "Mon 08:00–16:00" in html
    assert html.count("Not granted") == 1


def test_members_never_shows_another_tenants_people(client, admin, other_tenant):
    add_person(tenant=other_tenant, email="zed@globex.test", name="Zed")
    client.force_login(admin)
    assert "zed@globex.test" not in client.get("/members").content.decode()


def test_an_admin_of_another_tenant_sees_only_their_own_people(client, admin, other_tenant):
    globex_admin = add_person(tenant=other_tenant, email="gia@globex.test", admin=True)
    client.force_login(globex_admin)
    html = client.get("/members").content.decode()
    assert "gia@globex.test" in html
    assert "ana@acme.test" not in html


def test_audit_shows_events_newest_first_in_words(client, admin, tenant):
    record(
        tenant=tenant,
        kind="credential_use",
        operation="calendar.freebusy.query",
        subject_email="ben@acme.test",
    )
    record(tenant=tenant, kind="credential_use", operation="calendar.events.insert", outcome="ok")
    client.force_login(admin)
    html = client.get("/audit").content.decode()
    assert html.index("Created a calendar event") < html.index("Read free/busy times")
    assert "ben@acme.test" in html


def test_audit_is_empty_with_an_explanation(client, admin):
    client.force_login(admin)
    html = client.get("/audit").content.decode()
    assert "Nothing here yet" in html


def test_audit_never_shows_another_tenants_events(client, admin, other_tenant):
    record(tenant=other_tenant, kind="credential_use", operation="globex-secret-op")
    client.force_login(admin)
    assert "globex-secret-op" not in client.get("/audit").content.decode()


def test_audit_pages_through_older_events_without_gaps_or_repeats(client, admin, tenant):
    start = timezone.now() - timedelta(hours=1)
    total = AUDIT_PAGE_SIZE + 7
    for n in range(total):
        AuditEvent.objects.create(
            tenant=tenant,
            kind="credential_use",
            operation=f"op-{n:03d}",
            at=start + timedelta(seconds=n // 2),  # pairs share a timestamp
        )
    client.force_login(admin)
    first = client.get("/audit")
    seen = [row["event"].operation for row in first.context["rows"]]
    cursor = first.context["older_cursor"]
    assert cursor is not None
    second = client.get("/audit", {"before": cursor})
    seen += [row["event"].operation for row in second.context["rows"]]
    assert second.context["older_cursor"] is None
    assert seen == [f"op-{n:03d}" for n in reversed(range(total))]


def test_audit_filters_by_kind(client, admin, tenant):
    record(tenant=tenant, kind="credential_use", operation="calendar.freebusy.query")
    record(tenant=tenant, kind="consent_change", operation="calendar_access.granted")
    client.force_login(admin)
    html = client.get("/audit", {"kind": "consent_change"}).content.decode()
    assert "Granted calendar access" in html
    assert "Read free/busy times" not in html


def test_audit_ignores_a_nonsense_cursor_or_kind(client, admin, tenant):
    record(tenant=tenant, kind="credential_use", operation="calendar.freebusy.query")
    client.force_login(admin)
    response = client.get("/audit", {"before": "abc", "kind": "<script>"})
    assert response.status_code == 200
    assert "Read free/busy times" in response.content.decode()
