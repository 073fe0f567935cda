"""The Members page: invite, resend, withdraw, change role, remove, who can join."""

from __future__ import annotations

import pytest
from django.core import mail

from meetbridge.tenants.models import Invitation, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_invite_shows_the_link_to_copy_and_mails_it(admin_client, tenant):
    response = admin_client.post(
        "/members/invitations", {"email": "nia@acme.test", "role": "member"}, follow=True
    )
    html = response.content.decode()
    invitation = Invitation.objects.get(email="nia@acme.test")
    assert 'id="invitation-link"' in html and "/join/" in html
    assert "Invitation sent to nia@acme.test" in html
    assert len(mail.outbox) == 1 and "/join/" in mail.outbox[0].body
    admin_client.post(f"/members/invitations/{invitation.id}", {"action": "resend"})
    assert len(mail.outbox) == 2
    admin_client.post(f"/members/invitations/{invitation.id}", {"action": "withdraw"})
    invitation.refresh_from_db()
    assert invitation.status == "withdrawn"


def test_an_invitation_outside_the_domain_is_explained(admin_client):
    response = admin_client.post("/members/invitations", {"email": "x@elsewhere.test"})
    assert response.status_code == 422
    assert "only addresses ending in @acme.test" in response.content.decode()


def test_role_change_refuses_to_leave_no_admin(admin_client, admin, member):
    response = admin_client.post(
        f"/members/people/{admin.id}/role", {"role": "member"}, follow=True
    )
    assert "only admin" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == "admin"
    admin_client.post(f"/members/people/{member.id}/role", {"role": "admin"})
    member.refresh_from_db()
    assert member.role == "admin"


def test_remove_asks_first_then_lists_what_stays(admin_client, member):
    confirm = admin_client.get(f"/members/people/{member.id}/remove")
    assert "signed out everywhere" in confirm.content.decode()
    done = admin_client.post(f"/members/people/{member.id}/remove")
    assert "Ben was removed" in done.content.decode()
    assert not Person.objects.get(pk=member.pk).is_active


def test_join_policy_is_saved(admin_client, tenant):
    admin_client.post("/members/join-policy", {"join_policy": "domain"})
    tenant.refresh_from_db()
    assert tenant.join_policy == "domain"


def test_members_pages_are_for_admins_only(client, member, admin):
    client.force_login(member)
    assert client.post("/members/invitations", {"email": "nia@acme.test"}).status_code == 403
    assert client.post(f"/members/people/{admin.id}/remove").status_code == 403


def test_local_mail_page_shows_sent_mail(client, settings, tmp_path, admin):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.MEETBRIDGE = {**settings.MEETBRIDGE, "LOCAL_OUTBOX": True}
    client.force_login(admin)
    client.post("/members/invitations", {"email": "nia@acme.test", "role": "member"})
    page = client.get("/local/mail").content.decode()
    assert "You are invited to Acme on meetbridge" in page and "/join/" in page
    settings.MEETBRIDGE = {**settings.MEETBRIDGE, "LOCAL_OUTBOX": False}
    assert client.get("/local/mail").status_code == 404
