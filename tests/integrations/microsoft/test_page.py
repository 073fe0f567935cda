"""The Integrations page's Microsoft 365 form: certificate or secret, refusals that say why."""

from __future__ import annotations

import pytest
from django.test import Client

from meetbridge.integrations.models import Credential
from workspace_sandbox.microsoft.control import issue_certificate
from workspace_sandbox.microsoft.state import App

PAGE = "/settings/integrations"
TENANT, CLIENT = "8f1c7a2e-1111-4b2b-9c3d-000000000001", "0a1b2c3d-2222-4e5f-8a9b-000000000002"


@pytest.fixture
def browser(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def _post(browser, **fields):
    return browser.post(PAGE, {"provider": "microsoft", "tenant_id": TENANT, "client_id": CLIENT, **fields})  # fmt: skip


@pytest.mark.django_db
def test_a_certificate_is_saved_with_its_expiry(browser):
    from datetime import UTC, datetime

    _, cert, key = issue_certificate(App(client_id=CLIENT, name="mb", tenant_id=TENANT), datetime.now(UTC), 90)  # fmt: skip
    response = _post(browser, credential="certificate", certificate=cert, private_key=key)
    assert response.status_code in (200, 302, 303), response.content[:500]
    saved = Credential.objects.get()
    assert saved.provider == "microsoft" and saved.expires_at is not None
    assert saved.public["credential"] == "certificate"
    page = browser.get(PAGE).content.decode()
    key_lines = [line for line in key.splitlines() if len(line) > 40][:3]
    assert CLIENT in page and not any(line in page for line in key_lines)


@pytest.mark.django_db
def test_the_secret_id_instead_of_its_value_is_refused_on_the_page(browser):
    response = _post(
        browser, credential="secret", client_secret="11111111-2222-3333-4444-555555555555"
    )
    assert response.status_code == 422
    assert "the client secret&#x27;s ID, not its value" in response.content.decode()
    assert not Credential.objects.exists()


@pytest.mark.django_db
def test_a_secret_needs_its_value(browser):
    response = _post(browser, credential="secret")
    assert response.status_code == 422
    assert "Paste the client secret" in response.content.decode()
