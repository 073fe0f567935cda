"""The tenant admin's Integrations page: connect, watch the live status, fix, check again."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from meetbridge.integrations.models import Credential, Integration
from tests.integrations.google.keyfiles import pem_body

SCOPE = "https://www.googleapis.com/auth/calendar"
PAGE = "/settings/integrations"
transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def status_panel(browser) -> str:
    return browser.get(reverse("integrations:status")).content.decode()


@pytest.mark.django_db
def test_the_page_lives_at_settings_integrations():
    assert reverse("integrations:page") == PAGE


@pytest.mark.django_db
def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/sign-in" in response["Location"]


@pytest.mark.django_db
def test_members_are_refused(member):
    client = Client()
    client.force_login(member)
    assert client.get(PAGE).status_code == 403
    assert client.get(reverse("integrations:status")).status_code == 403
    assert client.post(reverse("integrations:check")).status_code == 403


@pytest.mark.django_db
def test_a_new_tenant_sees_the_three_steps_and_the_exact_scope(browser):
    page = browser.get(PAGE).content.decode()
    assert "Not connected" in page
    for step in ("Step 1", "Step 2", "Step 3", "Pro Tip"):
        assert step in page
    assert f'<code id="copy-scope">{SCOPE}</code>' in page
    assert 'role="status"' in page and 'aria-live="polite"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<label for="id_key_text">' in page and '<label for="id_key_file">' in page


@pytest.mark.django_db
def test_saving_needs_the_csrf_token(admin, workspace):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post(PAGE, {"provider": "google", "key_text": json.dumps(workspace.key)})
    assert response.status_code == 403
    assert not Integration.objects.exists()


@transactional
def test_paste_save_watch_it_verify(browser, workspace, google_settings, jobs):
    response = browser.post(PAGE, {"provider": "google", "key_text": json.dumps(workspace.key)})
    assert response.status_code == 302 and response["Location"] == PAGE

    page = browser.get(PAGE).content.decode()
    assert "Checking" in page and "Key saved" in page
    assert f'<code id="copy-client-id">{workspace.client_id}</code>' in page
    assert workspace.client_email in page

    jobs.run_due()
    panel = status_panel(browser)
    assert 'data-state="verified"' in panel and "Verified" in panel
    assert "Last check" in panel


@transactional
def test_the_key_file_can_be_uploaded(browser, workspace, google_settings, jobs):
    upload = SimpleUploadedFile(
        "key.json", json.dumps(workspace.key).encode(), content_type="application/json"
    )
    response = browser.post(PAGE, {"provider": "google", "key_file": upload})
    assert response.status_code == 302
    jobs.run_due()
    assert 'data-state="verified"' in status_panel(browser)


@transactional
def test_a_failed_check_shows_the_diagnosis_and_fix_then_heals_on_the_page(
    browser, sandbox, workspace, google_settings, jobs
):
    from datetime import UTC, datetime, timedelta

    sandbox.revoke_delegation(workspace.domain, workspace.client_id)
    browser.post(PAGE, {"provider": "google", "key_text": json.dumps(workspace.key)})
    jobs.run_due()
    panel = status_panel(browser)
    assert 'data-state="failed"' in panel
    assert "How to fix it" in panel and "Step 2" in panel
    assert workspace.client_id in panel and SCOPE in panel
    assert "by itself at" in panel

    sandbox.grant_delegation(workspace.domain, workspace.client_id, [SCOPE])
    jobs.run_due(now=datetime.now(UTC) + timedelta(minutes=2))
    assert 'data-state="verified"' in status_panel(browser)


@pytest.mark.django_db
def test_a_bad_key_is_explained_and_never_echoed_back(browser, workspace):
    broken = {**workspace.key, "client_id": "not-a-number"}
    response = browser.post(PAGE, {"provider": "google", "key_text": json.dumps(broken)})
    page = response.content.decode()
    assert response.status_code == 422
    assert "client_id" in page and "not numeric" in page
    assert pem_body(workspace.key["private_key"]) not in page
    assert not Credential.objects.exists()


@pytest.mark.django_db
def test_pasting_nothing_or_both_is_explained(browser, workspace):
    empty = browser.post(PAGE, {"provider": "google", "key_text": ""})
    assert "Paste the JSON key, or choose the key file" in empty.content.decode()
    upload = SimpleUploadedFile("key.json", b"{}", content_type="application/json")
    both = browser.post(PAGE, {"provider": "google", "key_text": "{}", "key_file": upload})
    assert "not both" in both.content.decode()


@pytest.mark.django_db
def test_an_oversized_upload_is_refused(browser):
    upload = SimpleUploadedFile("key.json", b"{" + b" " * 20_000 + b"}")
    response = browser.post(PAGE, {"provider": "google", "key_file": upload})
    assert response.status_code == 422
    assert "about 2.3 KB" in response.content.decode()


@transactional
def test_check_again_and_disconnect(browser, sandbox, workspace, google_settings, jobs):
    sandbox.revoke_delegation(workspace.domain, workspace.client_id)
    browser.post(PAGE, {"provider": "google", "key_text": json.dumps(workspace.key)})
    jobs.run_due()
    sandbox.grant_delegation(workspace.domain, workspace.client_id, [SCOPE])

    response = browser.post(reverse("integrations:check"))
    assert response.status_code == 302
    assert 'data-state="pending"' in status_panel(browser)
    jobs.run_due()
    assert 'data-state="verified"' in status_panel(browser)

    browser.post(reverse("integrations:disconnect"))
    assert not Credential.objects.exists()
    assert "Not connected" in status_panel(browser)


def test_the_admin_chooses_the_calendar_system_and_sees_its_steps(browser):
    google = browser.get(PAGE).content.decode()
    assert "Set up Google Workspace" in google and 'aria-current="true"' in google
    assert 'href="?provider=microsoft"' in google

    microsoft = browser.get(PAGE + "?provider=microsoft").content.decode()
    assert "Set up Microsoft 365" in microsoft
    assert "Calendars.ReadWrite" in microsoft
    assert 'name="provider" value="microsoft"' in microsoft

    unknown = browser.get(PAGE + "?provider=zimbra")
    assert unknown.status_code == 200 and "Set up Google Workspace" in unknown.content.decode()


def test_an_unknown_provider_posted_is_refused_on_the_page(browser):
    response = browser.post(PAGE, {"provider": "zimbra", "key_text": "{}"})
    assert response.status_code == 422
    assert "provider must be one of" in response.content.decode()
