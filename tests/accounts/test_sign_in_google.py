"""Sign in with Google end to end against the sandbox: who gets in, who does not, and why."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client

from meetbridge.audit.models import AuditEvent
from meetbridge.tenants.models import Identity, Person, Tenant
from tests.accounts.conftest import (
    HOSTILE_NEXT,
    back_to_meetbridge,
    choose_account,
    provider_button,
    sign_in_with_google,
    to_provider,
)

pytestmark = pytest.mark.django_db


def signed_in_as(client) -> str | None:
    response = client.get("/api/v1/me")
    return response.json()["email"] if response.status_code == 200 else None


def refusal_code(response) -> str:
    html = response.content.decode()
    marker = 'id="refusal-code">'
    return html.split(marker, 1)[1].split("<", 1)[0] if marker in html else ""


def test_the_sign_in_page_offers_google_only_when_configured(client, settings, tenant):
    assert "Sign in with Google" not in client.get("/sign-in").content.decode()


def test_the_sign_in_page_lists_google_and_password(client, google):
    html = client.get("/sign-in").content.decode()
    assert "Sign in with Google" in html and "Password" in html


def test_the_sign_in_page_lets_its_google_form_redirect_to_google_and_nowhere_else(
    client, google, sandbox
):
    # Browsers stop a form's redirect to an origin the page's CSP form-action does not name.
    policy = client.get("/sign-in")["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    provider = urlsplit(sandbox.discovery_url)
    assert form_action.split()[1:] == ["'self'", f"{provider.scheme}://{provider.netloc}"]


def test_without_google_sign_in_forms_only_post_to_this_site(client, settings, tenant):
    policy = client.get("/sign-in")["Content-Security-Policy"]
    assert "form-action 'self';" in policy + ";"


def test_the_redirect_uses_pkce_s256_a_nonce_and_state(client, google):
    location = to_provider(client)
    for parameter in ("code_challenge_method=S256", "code_challenge=", "nonce=", "state="):
        assert parameter in location


def test_an_existing_member_is_linked_by_verified_email_once_then_by_sub(
    client, google, workspace, member
):
    response = sign_in_with_google(client, "ben@acme.test")
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == "ben@acme.test"
    identity = Identity.objects.get(person=member)
    assert identity.provider == "google" and len(identity.subject) == 21
    # The address re-created at Google (same e-mail, new sub) is not merged into Ben.
    workspace.remove_user("acme.test", "ben@acme.test")
    workspace.add_user("acme.test", "ben@acme.test")
    other = Client()
    refused = sign_in_with_google(other, "ben@acme.test")
    assert refused.status_code == 403 and refusal_code(refused) == "account_recreated"
    assert signed_in_as(other) is None
    assert AuditEvent.objects.filter(tenant=member.tenant, outcome="account_recreated").exists()


def test_the_page_a_signed_out_person_was_sent_from_is_where_google_sign_in_ends(
    client, google, workspace, member
):
    sent_from = client.get("/availability?with=ana%40acme.test")
    assert sent_from.status_code == 302
    sign_in_page = sent_from["Location"]
    assert sign_in_page == "/sign-in?next=/availability%3Fwith%3Dana%2540acme.test"
    next_page = sign_in_page.split("next=", 1)[1]
    from urllib.parse import unquote

    button = provider_button(client, "google", unquote(next_page))
    assert button == "/sign-in/google/start?next=/availability%3Fwith%3Dana%2540acme.test"
    response = sign_in_with_google(client, "ben@acme.test", start_path=button)
    assert response.status_code == 302
    assert response["Location"] == "/availability?with=ana%40acme.test"
    assert signed_in_as(client) == "ben@acme.test"


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_a_next_that_is_not_a_page_here_ends_google_sign_in_at_home(
    client, google, workspace, member, hostile
):
    # Started from the sign-in page's button or asked for directly, it is ignored.
    for start in (provider_button(client, "google", hostile), start_with_next(hostile)):
        browser = Client()
        response = sign_in_with_google(browser, "ben@acme.test", start_path=start)
        assert response.status_code == 302 and response["Location"] == "/"
        assert signed_in_as(browser) == "ben@acme.test"


def test_a_next_is_used_once_and_never_carried_into_another_sign_in(
    client, google, workspace, member
):
    first = sign_in_with_google(client, "ben@acme.test", start_path=start_with_next("/meetings"))
    assert first["Location"] == "/meetings"
    client.post("/sign-out")
    assert sign_in_with_google(client, "ben@acme.test")["Location"] == "/"
    client.post("/sign-out")
    # A sign-in started with a next and abandoned at Google leaves nothing for the next one.
    to_provider(client, start_with_next("/meetings"))
    assert sign_in_with_google(client, "ben@acme.test")["Location"] == "/"
    client.post("/sign-out")
    # Nor does one that was refused.
    to_provider(client, start_with_next("/meetings"))
    refused = client.get("/sign-in/google/callback?code=x&state=forged")
    assert refused.status_code == 403
    location = choose_account(to_provider(client), "ben@acme.test")
    assert back_to_meetbridge(client, location)["Location"] == "/"


def test_a_refused_sign_in_offers_to_start_again_towards_the_same_page(
    client, google, workspace, member
):
    to_provider(client, start_with_next("/meetings"))
    refused = client.get("/sign-in/google/callback?code=x&state=forged")
    assert refused.status_code == 403
    assert 'href="/sign-in?next=/meetings">Back to sign-in' in refused.content.decode()
    # Without a next, the link is the plain sign-in page.
    plain = Client().get("/sign-in/google/callback?code=x&state=forged")
    assert 'href="/sign-in">Back to sign-in' in plain.content.decode()


def start_with_next(next_page: str, provider: str = "google") -> str:
    return f"/sign-in/{provider}/start?" + urlencode({"next": next_page})


def test_domain_policy_lets_a_workspace_user_join_as_member(client, google, workspace, tenant):
    tenant.join_policy = Tenant.JoinPolicy.DOMAIN
    tenant.save()
    response = sign_in_with_google(client, "nia@acme.test")
    assert response.status_code == 302
    nia = Person.objects.get(email="nia@acme.test")
    assert nia.tenant == tenant and nia.role == "member" and not nia.has_usable_password()
    assert signed_in_as(client) == "nia@acme.test"
    assert AuditEvent.objects.filter(tenant=tenant, operation="member.joined").exists()


def test_invite_only_refuses_an_uninvited_workspace_user_and_creates_nothing(
    client, google, workspace, tenant
):
    response = sign_in_with_google(client, "nia@acme.test")
    assert response.status_code == 403 and refusal_code(response) == "invite_only"
    assert "invitation" in response.content.decode()
    assert not Person.objects.filter(email="nia@acme.test").exists()
    assert not Identity.objects.exists()
    assert AuditEvent.objects.filter(tenant=tenant, outcome="invite_only").exists()


def test_a_domain_of_no_tenant_is_refused(client, google, workspace, tenant):
    response = sign_in_with_google(client, "ivy@initech.test")
    assert response.status_code == 403 and refusal_code(response) == "no_tenant"
    assert not Person.objects.filter(email="ivy@initech.test").exists()


def test_a_personal_account_without_hd_is_refused(client, google, workspace, tenant):
    response = sign_in_with_google(client, "joe@gmail.test")
    assert response.status_code == 403 and refusal_code(response) == "not_workspace"
    assert not Person.objects.filter(email="joe@gmail.test").exists()


def test_a_linked_google_account_whose_hd_is_another_tenants_is_refused(
    client, google, workspace, member, other_tenant
):
    """Ben's Google account (his sub) now answers with hd globex.test: not Acme's any more."""
    sign_in_with_google(client, "ben@acme.test")
    Identity.objects.filter(person=member).update(subject=_sub_of(workspace, "gus@globex.test"))
    other = Client()
    refused = sign_in_with_google(other, "gus@globex.test")
    assert refused.status_code == 403 and refusal_code(refused) == "wrong_tenant"
    assert signed_in_as(other) is None
    assert AuditEvent.objects.filter(tenant=member.tenant, outcome="wrong_tenant").exists()


def _sub_of(sandbox, email):
    """The sub the sandbox gives an account, read from an ID token it issues."""
    import jwt
    import requests

    from tests.sandbox.test_oidc import REDIRECT, auth_params, redeem

    client = sandbox.register_oauth_client([REDIRECT])
    params = auth_params(client)
    answer = requests.post(
        f"{sandbox.url}/o/oauth2/v2/auth",
        data={**params, "account": email},
        allow_redirects=False,
        timeout=10,
    )
    code = answer.headers["location"].split("code=", 1)[1].split("&", 1)[0]
    from urllib.parse import unquote

    token = redeem(sandbox, client, unquote(code)).json()["id_token"]
    return jwt.decode(token, options={"verify_signature": False})["sub"]


def test_a_removed_person_cannot_sign_in_with_google(client, google, workspace, member, admin):
    from meetbridge.tenants import membership

    sign_in_with_google(client, "ben@acme.test")
    membership.remove(member, actor=admin)
    again = Client()
    response = sign_in_with_google(again, "ben@acme.test")
    assert response.status_code == 403 and refusal_code(response) == "removed"
    assert signed_in_as(again) is None


def test_cancel_at_the_chooser_shows_a_page_and_signs_nobody_in(client, google, workspace, member):
    response = sign_in_with_google(client, None, cancel=True)
    assert response.status_code == 403 and refusal_code(response) == "cancelled"
    assert signed_in_as(client) is None


def test_a_wrong_state_is_refused(client, google, workspace, member):
    location = choose_account(to_provider(client), "ben@acme.test")
    tampered = location.replace("state=", "state=x")
    response = back_to_meetbridge(client, tampered)
    assert response.status_code == 403 and refusal_code(response) == "wrong_state"
    assert signed_in_as(client) is None


def test_a_callback_started_in_another_browser_is_refused(client, google, workspace, member):
    location = choose_account(to_provider(client), "ben@acme.test")
    stranger = Client()
    response = back_to_meetbridge(stranger, location)
    assert refusal_code(response) == "wrong_state"
    assert signed_in_as(stranger) is None


def test_a_replayed_callback_is_refused(client, google, workspace, member):
    location = choose_account(to_provider(client), "ben@acme.test")
    assert back_to_meetbridge(client, location).status_code == 302
    client.post("/sign-out")
    replay = back_to_meetbridge(client, location)
    assert replay.status_code == 403 and refusal_code(replay) == "wrong_state"
    assert signed_in_as(client) is None


def test_a_reused_code_is_refused(client, google, workspace, member):
    """The same code redeemed twice (a second sign-in attempt carrying an already used code)."""
    first = choose_account(to_provider(client), "ben@acme.test")
    code = first.split("code=", 1)[1].split("&", 1)[0]
    assert back_to_meetbridge(client, first).status_code == 302
    client.post("/sign-out")
    second = choose_account(to_provider(client), "ben@acme.test")
    state = second.split("state=", 1)[1].split("&", 1)[0]
    reused = f"/sign-in/google/callback?code={code}&state={state}"
    response = client.get(reused)
    assert response.status_code == 403 and refusal_code(response) == "code_used"
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("tampered", "bad_signature"),
        ("foreign_signer", "bad_signature"),
        ("expired", "expired"),
        ("wrong_audience", "invalid_aud"),
        ("wrong_issuer", "invalid_iss"),
        ("wrong_nonce", "invalid_nonce"),
        ("email_not_verified", "email_not_verified"),
    ],
)
def test_bad_id_tokens_are_refused_and_nothing_is_created(
    client, google, workspace, tenant, fault, code
):
    tenant.join_policy = Tenant.JoinPolicy.DOMAIN
    tenant.save()
    workspace.set_id_token_fault(fault)
    response = sign_in_with_google(client, "nia@acme.test")
    assert response.status_code == 403, response.content[:300]
    assert refusal_code(response) == code
    assert signed_in_as(client) is None
    assert not Person.objects.filter(email__endswith="acme.test").exists()
    assert not Identity.objects.exists()


def test_an_unreachable_provider_is_a_page_not_a_500(client, settings, tenant):
    settings.MEETBRIDGE = {
        **settings.MEETBRIDGE,
        "GOOGLE_OIDC_CLIENT_ID": "x.apps.googleusercontent.com",
        "GOOGLE_OIDC_CLIENT_SECRET": "s",
        "GOOGLE_OIDC_DISCOVERY_URL": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    response = client.post("/sign-in/google/start")
    assert response.status_code == 502 and refusal_code(response) == "provider_unreachable"
