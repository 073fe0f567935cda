"""Sign in with Microsoft end to end against the stand-in (over HTTPS, its own CA): who gets in,
who does not, and why. The tenant is the one connected to the token's directory (`tid`); people
are keyed by `tid` + `oid`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from meetbridge.audit.models import AuditEvent
from meetbridge.tenants.models import Identity, Person, Tenant
from tests.accounts.conftest import (
    HOSTILE_NEXT,
    back_to_meetbridge,
    choose_account,
    connect_directory,
    microsoft_settings,
    provider_button,
    sign_in_with_microsoft,
    to_provider,
)
from tests.accounts.test_sign_in_google import refusal_code, signed_in_as, start_with_next

pytestmark = pytest.mark.django_db

START = "/sign-in/microsoft/start"


@pytest.fixture
def acme(tenant, microsoft_sign_in):
    connect_directory(tenant, microsoft_sign_in["acme"])
    return tenant


def oid_of(microsoft, email):
    for directory in microsoft.state()["tenants"]:
        for user in directory["users"]:
            if user["email"] == email:
                return directory["tenant_id"], user["id"]
    raise AssertionError(email)


def test_the_sign_in_page_offers_microsoft_only_when_configured(client, tenant):
    assert "Sign in with Microsoft" not in client.get("/sign-in").content.decode()


def test_the_sign_in_page_lists_microsoft_and_lets_its_form_redirect_there(
    client, microsoft_sign_in, microsoft
):
    response = client.get("/sign-in")
    assert "Sign in with Microsoft" in response.content.decode()
    form_action = next(
        d for d in response["Content-Security-Policy"].split(";") if "form-action" in d
    )
    authority = urlsplit(microsoft.login_base)
    assert f"{authority.scheme}://{authority.netloc}" in form_action.split()


def test_the_redirect_goes_to_the_organizations_authority_with_pkce_nonce_and_state(
    client, microsoft_sign_in, microsoft
):
    location = to_provider(client, START)
    assert location.startswith(f"{microsoft.login_base}/organizations/oauth2/v2.0/authorize?")
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"]
    assert {"code_challenge", "nonce", "state"} <= set(query)
    assert query["redirect_uri"] == ["http://testserver/sign-in/microsoft/callback"]


def test_domain_policy_lets_a_user_of_the_connected_directory_join(client, https, acme, microsoft):
    acme.join_policy = Tenant.JoinPolicy.DOMAIN
    acme.save()
    response = sign_in_with_microsoft(client, https, "nia@acme.test")
    assert response.status_code == 302 and response["Location"] == "/"
    nia = Person.objects.get(email="nia@acme.test")
    assert nia.tenant == acme and nia.role == "member" and nia.name == "Nia"
    tid, oid = oid_of(microsoft, "nia@acme.test")
    assert Identity.objects.get(person=nia).subject == f"{tid}/{oid}"
    assert signed_in_as(client) == "nia@acme.test"
    assert AuditEvent.objects.filter(tenant=acme, operation="member.joined").exists()


def test_the_page_a_signed_out_person_was_sent_from_is_where_microsoft_sign_in_ends(
    client, https, acme, member
):
    button = provider_button(client, "microsoft", "/availability?with=ana%40acme.test")
    assert button == "/sign-in/microsoft/start?next=/availability%3Fwith%3Dana%2540acme.test"
    response = sign_in_with_microsoft(client, https, "ben@acme.test", start_path=button)
    assert response.status_code == 302
    assert response["Location"] == "/availability?with=ana%40acme.test"
    assert signed_in_as(client) == "ben@acme.test"


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_a_next_that_is_not_a_page_here_ends_microsoft_sign_in_at_home(
    https, acme, member, hostile
):
    for start in (
        provider_button(Client(), "microsoft", hostile),
        start_with_next(hostile, "microsoft"),
    ):
        browser = Client()
        response = sign_in_with_microsoft(browser, https, "ben@acme.test", start_path=start)
        assert response.status_code == 302 and response["Location"] == "/"
        assert signed_in_as(browser) == "ben@acme.test"


def test_a_next_is_used_once_by_microsoft_sign_in(client, https, acme, member):
    first = start_with_next("/meetings", "microsoft")
    assert (
        sign_in_with_microsoft(client, https, "ben@acme.test", start_path=first)["Location"]
        == "/meetings"
    )
    client.post("/sign-out")
    assert sign_in_with_microsoft(client, https, "ben@acme.test")["Location"] == "/"
    client.post("/sign-out")
    to_provider(client, start_with_next("/meetings", "microsoft"))  # abandoned at Microsoft
    assert sign_in_with_microsoft(client, https, "ben@acme.test")["Location"] == "/"


def test_a_member_is_found_by_tid_and_oid_after_an_address_change(
    client, https, acme, member, microsoft
):
    assert sign_in_with_microsoft(client, https, "ben@acme.test").status_code == 302
    microsoft.rename_user("ben@acme.test", "benjamin@acme.test")
    again = Client()
    assert sign_in_with_microsoft(again, https, "benjamin@acme.test").status_code == 302
    assert signed_in_as(again) == "ben@acme.test"  # the same person, not a second one
    assert not Person.objects.filter(email="benjamin@acme.test").exists()
    assert Identity.objects.filter(person=member, provider="microsoft").count() == 1


def test_another_account_given_a_members_old_address_cannot_take_them_over(
    client, https, acme, member, microsoft
):
    sign_in_with_microsoft(client, https, "ben@acme.test")
    microsoft.rename_user("ben@acme.test", "ben.okafor@acme.test")
    microsoft.add_user(microsoft_directory(acme), "ben@acme.test")  # a new oid
    stranger = Client()
    refused = sign_in_with_microsoft(stranger, https, "ben@acme.test")
    assert refused.status_code == 403 and refusal_code(refused) == "account_recreated"
    assert signed_in_as(stranger) is None
    assert AuditEvent.objects.filter(tenant=acme, outcome="account_recreated").exists()


def microsoft_directory(tenant) -> str:
    from meetbridge.accounts.microsoft import directory_of

    return directory_of(tenant)


def test_invite_only_refuses_an_uninvited_user_and_creates_nothing(client, https, acme):
    response = sign_in_with_microsoft(client, https, "nia@acme.test")
    assert response.status_code == 403 and refusal_code(response) == "invite_only"
    assert not Person.objects.filter(email="nia@acme.test").exists()
    assert not Identity.objects.exists()
    assert AuditEvent.objects.filter(
        tenant=acme, operation="sign_in.microsoft_refused", outcome="invite_only"
    ).exists()


def test_a_directory_no_tenant_connected_is_refused(client, https, acme):
    response = sign_in_with_microsoft(client, https, "ivy@initech.test")
    assert response.status_code == 403 and refusal_code(response) == "no_tenant"
    assert "Integrations page" in response.content.decode()
    assert not Person.objects.filter(email="ivy@initech.test").exists()


def test_a_directory_whose_credential_is_not_in_service_yet_is_not_connected(
    client, https, tenant, microsoft_sign_in
):
    credential = connect_directory(tenant, microsoft_sign_in["acme"])
    credential.in_service = False
    credential.status = "pending"
    credential.save()
    response = sign_in_with_microsoft(client, https, "ben@acme.test")
    assert refusal_code(response) == "no_tenant"


def test_a_directory_two_tenants_claim_is_refused(
    client, https, acme, other_tenant, microsoft_sign_in
):
    connect_directory(other_tenant, microsoft_sign_in["acme"])
    response = sign_in_with_microsoft(client, https, "ben@acme.test")
    assert response.status_code == 403 and refusal_code(response) == "directory_shared"
    for tenant in (acme, other_tenant):
        assert AuditEvent.objects.filter(tenant=tenant, outcome="directory_shared").exists()


def test_a_personal_microsoft_account_is_refused(
    client, https, settings, acme, microsoft, microsoft_sign_in
):
    """With the `common` authority and an app that admits personal accounts, Microsoft signs
    them in; meetbridge refuses their tid."""
    app = microsoft_sign_in["app"]
    microsoft.set_authentication(
        app["client_id"],
        ["http://testserver/sign-in/microsoft/callback"],
        "AzureADandPersonalMicrosoftAccount",
    )
    microsoft_settings(settings, microsoft, app, authority="common")
    response = sign_in_with_microsoft(client, https, "joe@outlook.test")
    assert response.status_code == 403 and refusal_code(response) == "personal_account"
    assert "personal Microsoft account" in response.content.decode()
    assert not Person.objects.filter(email="joe@outlook.test").exists()


def invitation_link(tenant, admin, email) -> str:
    from meetbridge.tenants import membership

    invitation = membership.invite(tenant=tenant, actor=admin, email=email, role="member")
    return f"/join/{membership.link_token(invitation)}/microsoft"


def test_an_invitation_taken_with_an_account_of_another_tenants_directory_is_refused(
    client, https, acme, admin, other_tenant, microsoft_sign_in
):
    connect_directory(other_tenant, microsoft_sign_in["globex"])
    start = invitation_link(acme, admin, "nia@acme.test")
    response = sign_in_with_microsoft(client, https, "gus@globex.test", start_path=start)
    assert response.status_code == 403 and refusal_code(response) == "wrong_tenant"
    assert "Microsoft 365 directory" in response.content.decode()
    assert signed_in_as(client) is None
    assert not Person.objects.filter(email__in=["nia@acme.test", "gus@globex.test"]).exists()
    assert AuditEvent.objects.filter(tenant=acme, outcome="wrong_tenant").exists()


def test_an_invitation_is_accepted_with_the_connected_directorys_account(
    client, https, acme, admin
):
    start = invitation_link(acme, admin, "nia@acme.test")
    response = sign_in_with_microsoft(client, https, "nia@acme.test", start_path=start)
    assert response.status_code == 302 and signed_in_as(client) == "nia@acme.test"


def test_a_member_of_a_tenant_that_connected_another_directory_is_refused(
    client, https, acme, member, microsoft_sign_in
):
    sign_in_with_microsoft(client, https, "ben@acme.test")
    connect_directory(acme, microsoft_sign_in["globex"])  # Acme moved to another directory
    again = Client()
    refused = sign_in_with_microsoft(again, https, "ben@acme.test")
    assert refused.status_code == 403 and refusal_code(refused) == "no_tenant"
    assert signed_in_as(again) is None


def test_cancel_shows_a_page_and_signs_nobody_in(client, https, acme, member):
    response = sign_in_with_microsoft(client, https, None, cancel=True)
    assert response.status_code == 403 and refusal_code(response) == "cancelled"
    assert signed_in_as(client) is None


def test_a_wrong_state_is_refused(client, https, acme, member):
    location = choose_account(to_provider(client, START), "ben@acme.test", http=https)
    response = back_to_meetbridge(client, location.replace("state=", "state=x"))
    assert response.status_code == 403 and refusal_code(response) == "wrong_state"
    assert signed_in_as(client) is None


def test_an_expired_code_is_refused(client, https, acme, member, microsoft):
    location = choose_account(to_provider(client, START), "ben@acme.test", http=https)
    microsoft.advance_clock(11 * 60)  # Entra's codes last about ten minutes
    response = back_to_meetbridge(client, location)
    assert response.status_code == 403 and refusal_code(response) == "code_used"
    assert signed_in_as(client) is None


def test_a_replayed_callback_is_refused(client, https, acme, member):
    location = choose_account(to_provider(client, START), "ben@acme.test", http=https)
    assert back_to_meetbridge(client, location).status_code == 302
    client.post("/sign-out")
    replay = back_to_meetbridge(client, location)
    assert replay.status_code == 403 and refusal_code(replay) == "wrong_state"


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("tampered", "bad_signature"),
        ("foreign_signer", "bad_signature"),
        ("expired", "expired"),
        ("wrong_audience", "invalid_aud"),
        ("wrong_issuer", "invalid_iss"),
        ("wrong_nonce", "invalid_nonce"),
    ],
)
def test_bad_id_tokens_are_refused_and_nothing_is_created(
    client, https, acme, microsoft, fault, code
):
    acme.join_policy = Tenant.JoinPolicy.DOMAIN
    acme.save()
    microsoft.set_id_token_fault(fault)
    response = sign_in_with_microsoft(client, https, "nia@acme.test")
    assert response.status_code == 403, response.content[:300]
    assert refusal_code(response) == code
    assert signed_in_as(client) is None
    assert not Person.objects.filter(email="nia@acme.test").exists()
    assert not Identity.objects.exists()


def test_an_unreachable_microsoft_is_a_page_not_a_500(client, settings, tenant):
    settings.MEETBRIDGE = {
        **settings.MEETBRIDGE,
        "MICROSOFT_OIDC_CLIENT_ID": "0a1b2c3d-2222-4e5f-8a9b-000000000002",
        "MICROSOFT_OIDC_CLIENT_SECRET": "s",
        "MICROSOFT_OIDC_DISCOVERY_URL": "https://127.0.0.1:9/organizations/v2.0/.well-known/openid-configuration",
    }
    response = client.post(START)
    assert response.status_code == 502 and refusal_code(response) == "provider_unreachable"


def test_local_mode_registers_a_multi_tenant_sign_in_app_for_this_server(sandbox, microsoft, https):
    from meetbridge.demo_microsoft import register_sign_in_app

    app = register_sign_in_app(sandbox.url, 8000)
    microsoft.create_tenant("northwind.test", ["ana@northwind.test"])
    authorize = f"{microsoft.login_base}/organizations/oauth2/v2.0/authorize"
    for host in ("localhost", "127.0.0.1"):
        params = {
            "client_id": app["client_id"],
            "redirect_uri": f"http://{host}:8000/sign-in/microsoft/callback",
            "response_type": "code",
            "scope": "openid email profile",
            "state": "s",
        }
        answer = https.post(authorize, data={**params, "account": "ana@northwind.test"}, allow_redirects=False)  # fmt: skip
        assert answer.status_code == 302, answer.text  # another directory's user is admitted
        assert answer.headers["location"].startswith(params["redirect_uri"] + "?code=")
