"""Accepting an invitation: by setting a password, or through Google; each refusal explained."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meetbridge.audit.models import AuditEvent
from meetbridge.tenants import membership
from meetbridge.tenants.models import Identity, Invitation, Person
from tests.accounts.conftest import back_to_meetbridge, choose_account, to_provider

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-passphrase"


@pytest.fixture
def invitation(tenant, admin):
    return membership.invite(tenant=tenant, actor=admin, email="nia@acme.test", role="member")


def join_path(invitation):
    return membership.accept_path(invitation)


def accept_with_password(client, invitation, password=PASSWORD):
    return client.post(
        join_path(invitation),
        {"name": "Nia", "new_password1": password, "new_password2": password},
    )


def test_accept_by_setting_a_password_signs_in_and_uses_the_link_up(client, invitation, tenant):
    page = client.get(join_path(invitation))
    assert page.status_code == 200 and "Join Acme" in page.content.decode()
    response = accept_with_password(client, invitation)
    assert response.status_code == 302 and response["Location"] == "/"
    nia = Person.objects.get(email="nia@acme.test")
    assert nia.tenant == tenant and nia.check_password(PASSWORD) and nia.name == "Nia"
    assert client.get("/api/v1/me").json()["email"] == "nia@acme.test"
    reused = Client().get(join_path(invitation))
    assert reused.status_code == 410 and "already used" in reused.content.decode()
    assert AuditEvent.objects.filter(tenant=tenant, operation="member.joined").exists()


def test_a_weak_password_is_refused_by_djangos_validators(client, invitation):
    response = accept_with_password(client, invitation, password="password")
    assert response.status_code == 200 and "too common" in response.content.decode()
    assert not Person.objects.filter(email="nia@acme.test").exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "expired"),
        ({"withdrawn_at": timezone.now()}, "withdrawn"),
    ],
)
def test_expired_and_withdrawn_invitations_are_refused(client, invitation, tenant, change, code):
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    page = client.get(join_path(invitation))
    assert page.status_code == 410 and f"invitation_{code}" in page.content.decode()
    assert accept_with_password(client, invitation).status_code == 410
    assert not Person.objects.filter(email="nia@acme.test").exists()
    assert AuditEvent.objects.filter(tenant=tenant, outcome=f"invitation_{code}").exists()


def test_a_tampered_link_is_refused(client, invitation):
    response = client.get(join_path(invitation)[:-3] + "xyz")
    assert response.status_code == 410 and "invalid_invitation" in response.content.decode()


def test_an_invitation_whose_address_joined_another_tenant_meanwhile_is_refused(
    client, invitation, other_tenant
):
    Person.objects.create_user("nia@acme.test", tenant=other_tenant)
    response = accept_with_password(client, invitation)
    assert response.status_code == 409 and "another organisation" in response.content.decode()
    assert Person.objects.get(email="nia@acme.test").tenant == other_tenant


def accept_with_google(client, invitation, email):
    location = to_provider(client, start_path=join_path(invitation) + "/google")
    return back_to_meetbridge(client, choose_account(location, email))


def test_accept_through_google_links_the_account(client, google, workspace, invitation, tenant):
    response = accept_with_google(client, invitation, "nia@acme.test")
    assert response.status_code == 302
    nia = Person.objects.get(email="nia@acme.test")
    assert nia.tenant == tenant and not nia.has_usable_password()
    assert Identity.objects.filter(person=nia, provider="google").exists()
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_accept_through_google_ends_on_the_page_asked_for_if_it_is_ours(
    client, google, workspace, invitation, tenant, admin
):
    from urllib.parse import urlencode

    def accept(browser, invited, email, next_page):
        start = join_path(invited) + "/google?" + urlencode({"next": next_page})
        return back_to_meetbridge(browser, choose_account(to_provider(browser, start), email))

    response = accept(client, invitation, "nia@acme.test", "/me/calendar")
    assert response.status_code == 302 and response["Location"] == "/me/calendar"
    other = membership.invite(tenant=tenant, actor=admin, email="ben@acme.test", role="member")
    hostile = accept(Client(), other, "ben@acme.test", "//evil.test")
    assert hostile.status_code == 302 and hostile["Location"] == "/"


def test_accept_through_google_with_another_address_is_refused(
    client, google, workspace, invitation, tenant
):
    response = accept_with_google(client, invitation, "ben@acme.test")
    assert response.status_code == 403 and "wrong_account" in response.content.decode()
    assert not Person.objects.filter(email__in=["nia@acme.test", "ben@acme.test"]).exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_accept_through_google_with_an_account_of_another_tenants_domain_is_refused(
    client, google, workspace, invitation, tenant
):
    response = accept_with_google(client, invitation, "gus@globex.test")
    assert response.status_code == 403 and "wrong_tenant" in response.content.decode()
    assert not Person.objects.filter(email="gus@globex.test").exists()
    assert AuditEvent.objects.filter(tenant=tenant, outcome="wrong_tenant").exists()


def test_a_removed_person_can_be_invited_back(client, tenant, admin, member):
    membership.remove(member, actor=admin)
    again = membership.invite(tenant=tenant, actor=admin, email="ben@acme.test", role="member")
    assert accept_with_password(client, again).status_code == 302
    member.refresh_from_db()
    assert member.is_active and member.check_password(PASSWORD)


def test_joining_with_a_password_ends_on_the_page_the_link_named(client, google, invitation):
    page = client.get(join_path(invitation) + "?next=/meetings")
    # The provider buttons carry it too; the password form posts to the page's own address.
    assert "?next=/meetings" in page.content.decode()
    response = client.post(
        join_path(invitation) + "?next=/meetings",
        {"name": "Nia", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/meetings"


@pytest.mark.parametrize("hostile", ["//evil.test/x", "https://evil.test/", "javascript:alert(1)"])
def test_joining_never_ends_on_another_site(client, invitation, hostile):
    from urllib.parse import quote

    page = client.get(join_path(invitation) + "?next=" + quote(hostile, safe=""))
    assert "evil.test" not in page.content.decode() and "javascript:" not in page.content.decode()
    response = client.post(
        join_path(invitation) + "?next=" + quote(hostile, safe=""),
        {"name": "Nia", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/"
