"""People join and sign in as organisations expect, in a real browser: Sign in with Google
through the sandbox's account chooser, an outsider refused, an invitation accepted from its
e-mail, a removed person shut out at once, personal API tokens."""

from __future__ import annotations

import re

import pytest
import requests
from django.core import mail
from playwright.sync_api import expect

from meetbridge.tenants.models import ApiToken, Person, Tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def google_sign_in(browsing, live_server, sandbox, settings):
    """Sign in with Google on, with a client registered in the sandbox for the live server."""
    sandbox.create_workspace(
        "acme.test", ["ana@acme.test", "ben@acme.test", "chloe@acme.test", "nia@acme.test"]
    )
    sandbox.add_consumer_account("sam.rivera@gmail.test")
    client = sandbox.register_oauth_client([f"{live_server.url}/sign-in/google/callback"])
    settings.MEETBRIDGE = {
        **settings.MEETBRIDGE,
        "GOOGLE_OIDC_CLIENT_ID": client["client_id"],
        "GOOGLE_OIDC_CLIENT_SECRET": client["client_secret"],
        "GOOGLE_OIDC_DISCOVERY_URL": sandbox.discovery_url,
    }
    return client


def test_a_workspace_user_signs_in_with_google_and_lands_as_a_member(
    browsing, people, google_sign_in
):
    Tenant.objects.filter(pk=people["acme"].pk).update(join_policy="domain")
    page = browsing.page()
    page.goto("/sign-in")
    browsing.shot(page, "sign-in", docs=True)
    page.get_by_role("button", name="Sign in with Google").click()
    expect(page.get_by_role("heading", name="Choose an account")).to_be_visible()
    browsing.shot(page, "sandbox-account-chooser", docs=True)
    page.get_by_role("button", name="nia@acme.test").click()
    expect(page.get_by_role("heading", level=1, name="Hello")).to_be_visible()
    nia = Person.objects.get(email="nia@acme.test")
    assert nia.tenant == people["acme"] and nia.role == "member"
    expect(page.locator(".who")).to_contain_text("Acme")
    browsing.shot(page, "joined-with-google")


@pytest.fixture
def microsoft_sign_in(browsing, live_server, microsoft, settings, people):
    """Sign in with Microsoft on (authority `organizations`), with the operator's app in the
    stand-in; Acme's Microsoft 365 integration connected to Acme's directory."""
    from tests.accounts.conftest import connect_directory, microsoft_settings

    acme = microsoft.create_tenant("acme.test", ["ana@acme.test", "ben@acme.test", "nia@acme.test"])
    operator = microsoft.create_tenant("meetbridge-operator.test")
    app = microsoft.sign_in_app(
        operator["tenant_id"], [f"{live_server.url}/sign-in/microsoft/callback"]
    )
    microsoft_settings(settings, microsoft, app)
    connect_directory(people["acme"], acme["tenant_id"])
    return acme


def test_a_microsoft_365_user_signs_in_with_microsoft_and_lands_as_a_member(
    browsing, people, microsoft_sign_in
):
    Tenant.objects.filter(pk=people["acme"].pk).update(join_policy="domain")
    page = browsing.page(ignore_https_errors=True)
    page.goto("/sign-in")
    browsing.shot(page, "sign-in-with-microsoft", docs=True)
    page.get_by_role("button", name="Sign in with Microsoft").click()
    expect(page.get_by_role("heading", name="Pick an account")).to_be_visible()
    browsing.shot(page, "sandbox-microsoft-account-picker", docs=True)
    page.get_by_role("button", name="nia@acme.test").click()
    expect(page.get_by_role("heading", level=1, name="Hello")).to_be_visible()
    nia = Person.objects.get(email="nia@acme.test")
    assert nia.tenant == people["acme"] and nia.role == "member"
    identity = nia.identities.get()
    assert identity.provider == "microsoft"
    assert identity.subject.startswith(microsoft_sign_in["tenant_id"] + "/")
    expect(page.locator(".who")).to_contain_text("Acme")
    browsing.shot(page, "joined-with-microsoft")


def test_an_outsider_is_refused_with_a_page_that_says_why(browsing, people, google_sign_in):
    page = browsing.page()
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in with Google").click()
    page.get_by_role("button", name="sam.rivera@gmail.test").click()
    expect(page.get_by_role("heading", name="You are not signed in")).to_be_visible()
    expect(page.locator("#refusal-message")).to_contain_text("personal Google account")
    browsing.shot(page, "sign-in-refused", docs=True)
    assert not Person.objects.filter(email="sam.rivera@gmail.test").exists()
    page.get_by_role("link", name="Back to sign-in").click()
    expect(page.get_by_role("heading", name="Sign in to meetbridge")).to_be_visible()


def test_an_admin_invites_and_the_person_joins_from_the_email_with_a_password(
    browsing, people, google_sign_in
):
    admin = browsing.sign_in("ana@acme.test")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    admin.get_by_label("E-mail").fill("nia@acme.test")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.locator(".messages")).to_contain_text("Invitation sent to nia@acme.test")
    shown = admin.locator("#just-invited-link").input_value()
    browsing.shot(admin, "members-invited", docs=True)
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/join/\S+", mail.outbox[0].body).group(0)
    assert link == shown

    newcomer = browsing.page()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", name="Join Acme")).to_be_visible()
    browsing.shot(newcomer, "join-invitation", docs=True)
    newcomer.get_by_label("Your name").fill("Nia Patel")
    newcomer.get_by_label("New password").fill("a-long-enough-passphrase")
    newcomer.get_by_label("Repeat the password").fill("a-long-enough-passphrase")
    newcomer.get_by_role("button", name="Join with this password").click()
    expect(newcomer.get_by_role("heading", level=1, name="Hello")).to_be_visible()
    assert Person.objects.get(email="nia@acme.test").name == "Nia Patel"

    again = browsing.page()
    again.goto(link)
    expect(again.get_by_role("heading", name="You are not signed in")).to_be_visible()
    expect(again.locator("#refusal-message")).to_contain_text("already used")


def test_a_removed_person_is_shut_out_of_their_open_session_and_api_token(
    browsing, people, google_sign_in, live_server
):
    _, token = ApiToken.issue(people["ben"], name="script")
    me = f"{live_server.url}/api/v1/me"
    assert requests.get(me, headers={"Authorization": f"Bearer {token}"}, timeout=10).ok
    ben = browsing.sign_in("ben@acme.test")

    admin = browsing.sign_in("ana@acme.test")
    admin.goto("/members")
    admin.get_by_role("link", name="Remove Ben Okafor").click()
    expect(admin.get_by_role("heading", name="Remove Ben Okafor?")).to_be_visible()
    browsing.shot(admin, "member-remove", docs=True)
    admin.get_by_role("button", name="Remove Ben Okafor").click()
    expect(admin.get_by_role("heading", name="Ben Okafor was removed")).to_be_visible()

    ben.reload()
    expect(ben.get_by_role("heading", name="Sign in to meetbridge")).to_be_visible()
    refused = requests.get(me, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert refused.status_code == 401
    admin.goto("/members")
    expect(admin.locator("#members")).not_to_contain_text("Ben Okafor")


def test_a_member_creates_and_revokes_an_api_token(browsing, people, live_server):
    page = browsing.sign_in("chloe@acme.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("calendar script")
    page.get_by_label("Expires after (days)").fill("30")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token-value").input_value()
    assert token.startswith("mb_")
    browsing.shot(page, "api-tokens", docs=True)
    me = f"{live_server.url}/api/v1/me"
    answer = requests.get(me, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.json()["email"] == "chloe@acme.test"
    page.goto("/settings/api-tokens")
    expect(page.locator("#tokens")).to_contain_text("calendar script")
    expect(page.locator("body")).not_to_contain_text(token)
    page.get_by_role("button", name="Revoke calendar script").click()
    expect(page.locator(".messages")).to_contain_text("Token revoked")
    assert (
        requests.get(me, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code
        == 401
    )
