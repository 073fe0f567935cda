"""A tenant admin who connects Microsoft 365 with the directory's domain in place of its
Directory (tenant) ID: meetbridge asks Microsoft (the stand-in, over HTTPS) which directory that
is, stores the GUID, and Sign in with Microsoft then finds the tenant by the token's `tid`."""

from __future__ import annotations

import pytest

from meetbridge.audit.models import AuditEvent
from meetbridge.integrations.models import Credential
from tests.accounts.conftest import sign_in_with_microsoft
from tests.accounts.test_sign_in_google import signed_in_as

pytestmark = pytest.mark.django_db
transactional = pytest.mark.django_db(transaction=True)  # the check runs once saving commits


@pytest.fixture
def acme_app(microsoft, microsoft_sign_in, microsoft_settings):
    """The app Acme's admin registered in Acme's directory, with consent and a client secret."""
    directory = microsoft_sign_in["acme"]
    app = microsoft.create_app(directory)
    microsoft.grant_consent(directory, app["client_id"])
    secret = microsoft.add_secret(app["client_id"])["secret"]
    return {"directory": directory, "client_id": app["client_id"], "client_secret": secret}


def put_app(admin_api, acme_app, tenant_id):
    return admin_api.put(
        "/integration",
        {
            "provider": "microsoft",
            "tenant_id": tenant_id,
            "client_id": acme_app["client_id"],
            "client_secret": acme_app["client_secret"],
        },
    )


@transactional
def test_saved_with_the_domain_the_guid_is_stored_verified_and_members_sign_in(
    client, https, admin_api, admin, member, acme_app, jobs
):
    response = put_app(admin_api, acme_app, "Acme.test")
    assert response.status_code == 202, response.json()
    assert response.json()["app"]["tenant_id"] == acme_app["directory"]
    jobs.run_due()
    assert admin_api.get("/integration").json()["status"] == "verified"
    stored = Credential.objects.get(in_service=True)
    assert stored.public["tenant_id"] == acme_app["directory"]
    saved = AuditEvent.objects.get(operation="integration.key_saved")
    assert f"{acme_app['directory']} (acme.test)" in saved.detail
    assert acme_app["client_secret"] not in saved.detail

    assert sign_in_with_microsoft(client, https, "ben@acme.test").status_code == 302
    assert signed_in_as(client) == "ben@acme.test"


def test_the_initial_onmicrosoft_domain_is_looked_up_too(admin_api, admin, acme_app):
    response = put_app(admin_api, acme_app, "acme.onmicrosoft.com")
    assert response.status_code == 202, response.json()
    assert response.json()["app"]["tenant_id"] == acme_app["directory"]


@transactional
def test_saved_with_the_guid_it_is_stored_as_given_and_members_sign_in(
    client, https, admin_api, admin, member, acme_app, jobs
):
    response = put_app(admin_api, acme_app, acme_app["directory"].upper())
    assert response.status_code == 202
    assert response.json()["app"]["tenant_id"] == acme_app["directory"]
    jobs.run_due()
    assert admin_api.get("/integration").json()["status"] == "verified"
    assert sign_in_with_microsoft(client, https, "ben@acme.test").status_code == 302


def test_a_domain_microsoft_does_not_know_is_refused_saying_what_to_fix(admin_api, admin, acme_app):
    response = put_app(admin_api, acme_app, "acme-typo.test")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "tenant_unknown"
    assert "acme-typo.test" in error["message"] and "AADSTS90002" in error["message"]
    assert "Directory (tenant) ID" in error["message"] and "Overview page" in error["message"]
    assert acme_app["client_secret"] not in error["message"]
    assert not Credential.objects.exists()


@transactional
def test_a_directory_stored_by_domain_before_the_lookup_is_stored_by_guid_at_its_next_check(
    client, https, admin_api, admin, member, acme_app, jobs
):
    from meetbridge.integrations.verification import check_credential

    assert put_app(admin_api, acme_app, acme_app["directory"]).status_code == 202
    jobs.run_due()
    stored = Credential.objects.get(in_service=True)
    # what a save before this change left: the domain as entered, which no token's tid names
    Credential.objects.filter(pk=stored.pk).update(
        public={**stored.public, "tenant_id": "acme.test"}
    )
    assert sign_in_with_microsoft(client, https, "ben@acme.test").status_code == 403

    assert check_credential(stored.pk, stored.check_round).status == "verified"
    assert admin_api.get("/integration").json()["app"]["tenant_id"] == acme_app["directory"]
    assert sign_in_with_microsoft(client, https, "ben@acme.test").status_code == 302


def test_the_integrations_page_saves_a_domain_as_its_guid_and_refuses_an_unknown_one(
    admin, acme_app
):
    from django.test import Client

    browser = Client()
    browser.force_login(admin)
    form = {
        "provider": "microsoft",
        "client_id": acme_app["client_id"],
        "credential": "secret",
        "client_secret": acme_app["client_secret"],
    }
    refused = browser.post("/settings/integrations", {**form, "tenant_id": "acme-typo.test"})
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "Microsoft does not know a directory with the domain acme-typo.test" in page
    assert acme_app["client_secret"] not in page
    assert not Credential.objects.exists()

    saved = browser.post("/settings/integrations", {**form, "tenant_id": "acme.test"})
    assert saved.status_code == 302
    assert Credential.objects.get().public["tenant_id"] == acme_app["directory"]
