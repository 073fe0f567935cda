"""The admin's API for the tenant and its people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from meetbridge.audit.models import AuditEvent
from meetbridge.tenants.models import ApiToken, Invitation, Person
from meetbridge.tenants.service import add_person

pytestmark = pytest.mark.django_db


def test_tenant_settings_and_join_policy(admin_api, member_api, tenant):
    assert admin_api.get("/tenant").json() == {
        "name": "Acme",
        "domain": "acme.test",
        "time_zone": "America/Toronto",
        "join_policy": "invite_only",
    }
    changed = admin_api.patch("/tenant", {"join_policy": "domain"})
    assert changed.status_code == 200 and changed.json()["join_policy"] == "domain"
    bad = admin_api.patch("/tenant", {"join_policy": "anyone"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_join_policy"
    assert member_api.get("/tenant").status_code == 403
    assert member_api.patch("/tenant", {"join_policy": "domain"}).status_code == 403
    assert AuditEvent.objects.filter(tenant=tenant, operation="tenant.changed").count() == 1


def test_invite_list_and_withdraw(admin_api, tenant):
    created = admin_api.post("/members/invitations", {"email": "Nia@Acme.test", "role": "admin"})
    assert created.status_code == 201
    body = created.json()
    assert body["email"] == "nia@acme.test" and body["role"] == "admin"
    assert body["status"] == "pending" and body["accept_url"].startswith("http://testserver/join/")
    assert len(mail.outbox) == 1 and body["accept_url"] in mail.outbox[0].body
    assert mail.outbox[0].to == ["nia@acme.test"]
    listed = admin_api.get("/members/invitations").json()
    assert [i["email"] for i in listed] == ["nia@acme.test"]
    assert admin_api.delete(f"/members/invitations/{body['id']}").status_code == 204
    assert admin_api.get("/members/invitations").json() == []
    operations = set(AuditEvent.objects.filter(tenant=tenant).values_list("operation", flat=True))
    assert {"member.invited", "member.invitation_withdrawn"} <= operations


def test_invitation_refusals(admin_api, member_api, member, other_tenant):
    add_person(tenant=other_tenant, email="gus@globex.test")
    outside = admin_api.post("/members/invitations", {"email": "gus@globex.test"})
    assert outside.status_code == 422 and outside.json()["error"]["code"] == "outside_domain"
    already = admin_api.post("/members/invitations", {"email": "ben@acme.test"})
    assert already.status_code == 409 and already.json()["error"]["code"] == "already_member"
    bad_role = admin_api.post("/members/invitations", {"email": "x@acme.test", "role": "owner"})
    assert bad_role.status_code == 422
    assert member_api.post("/members/invitations", {"email": "x@acme.test"}).status_code == 403
    assert admin_api.delete("/members/invitations/999").status_code == 404


def test_an_address_of_another_tenant_cannot_be_invited(admin_api, tenant, other_tenant):
    # Another tenant whose domain is Acme's subdomain cannot hold Acme addresses; the clash is an
    # address that already has an account elsewhere (created before domain rules, or by an operator).
    Person.objects.create_user("zed@acme.test", tenant=other_tenant)
    refused = admin_api.post("/members/invitations", {"email": "zed@acme.test"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "person_in_other_tenant"
    assert not Invitation.objects.exists()
    assert AuditEvent.objects.filter(tenant=tenant, outcome="other_tenant").exists()


def test_change_role_keeps_one_admin(admin_api, admin, member):
    promoted = admin_api.patch("/members/ben@acme.test", {"role": "admin"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
    assert admin_api.patch("/members/ben@acme.test", {"role": "member"}).status_code == 200
    last = admin_api.patch("/members/ana@acme.test", {"role": "member"})
    assert last.status_code == 409 and last.json()["error"]["code"] == "last_admin"
    assert admin_api.patch("/members/nobody@acme.test", {"role": "admin"}).status_code == 404
    assert admin_api.patch("/members/ben@acme.test", {"role": "boss"}).status_code == 422


def test_removal_ends_tokens_and_sessions_at_once_and_revokes_calendar_access(
    admin_api, member, tenant
):
    from meetbridge.scheduling import consent

    consent.grant(member, time_zone="America/Toronto")
    _, token = ApiToken.issue(member)
    browser = Client()
    browser.force_login(member)
    assert browser.get("/api/v1/me").status_code == 200
    assert admin_api.delete("/members/ben@acme.test").status_code == 204
    bearer = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bearer.status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    assert browser.get("/").status_code == 302  # back to sign-in
    member.refresh_from_db()
    assert not member.is_active and not consent.has_granted(member)
    assert [m["email"] for m in admin_api.get("/members").json()] == ["ana@acme.test"]
    assert AuditEvent.objects.filter(tenant=tenant, operation="member.removed").exists()
    assert admin_api.delete("/members/ben@acme.test").status_code == 404


def test_the_last_admin_cannot_be_removed_and_nobody_removes_themselves(admin_api, admin, member):
    refused = admin_api.delete("/members/ana@acme.test")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "cannot_remove_self"


def test_an_expired_invitation_is_not_listed(admin_api, tenant, admin):
    created = admin_api.post("/members/invitations", {"email": "nia@acme.test"}).json()
    Invitation.objects.filter(pk=created["id"]).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    assert admin_api.get("/members/invitations").json() == []
