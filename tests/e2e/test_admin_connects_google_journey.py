"""The seed's Step 3 in a browser: the admin uploads the key before authorising delegation, reads
the diagnosis, authorises it in the sandbox's console, and watches the status turn Verified."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_goes_from_an_unverified_key_to_verified(browsing, people, sandbox, worker, tmp_path):
    setup = sandbox.quick_setup(
        "acme.test", ["ana@acme.test", "ben@acme.test", "chloe@acme.test"], delegate=False
    )
    key_file = tmp_path / "acme-service-account.json"
    key_file.write_text(json.dumps(setup.key))

    page = browsing.sign_in("ana@acme.test")
    expect(page.locator("#integration-summary")).to_contain_text("Not connected")
    page.get_by_role("link", name="Set up the integration").click()
    expect(page.get_by_role("heading", level=1, name="Integrations")).to_be_visible()
    status = page.locator("#integration-status")
    expect(status).to_contain_text("Not connected")

    page.get_by_role("link", name="Google Workspace").click()
    page.get_by_label("or upload the key file").set_input_files(str(key_file))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Key saved")).to_be_visible()

    # Delegation is not authorised yet: the background check says what to do, and waits.
    expect(status).to_contain_text("Waiting for Google to apply domain-wide delegation")
    problem = page.locator("#problem")
    expect(problem).to_contain_text(f"client ID {setup.client_id} is not authorised")
    expect(problem).to_contain_text("Manage domain wide delegation")
    expect(page.locator("#copy-client-id")).to_have_text(setup.client_id)
    browsing.shot(page, "integration-waiting", docs=True)

    # The admin does Step 2 in the sandbox's console, as in Google's admin console.
    console = browsing.page()
    console.goto(sandbox.url + "/")
    console.get_by_label("Domain").select_option("acme.test")
    console.get_by_label("Client ID").fill(page.locator("#copy-client-id").inner_text())
    console.get_by_role("button", name="Authorise").click()
    grant = f"{setup.client_id}: https://www.googleapis.com/auth/calendar"
    expect(console.get_by_role("cell", name=grant)).to_be_visible()

    page.get_by_role("button", name="Check again").click()
    expect(status).to_contain_text("Verified")
    expect(page.locator("#problem")).to_have_count(0)
    browsing.shot(page, "integration-verified", docs=True)

    phone = browsing.sign_in("ana@acme.test", phone=True)
    phone.goto("/settings/integrations")
    expect(phone.locator("#integration-status")).to_contain_text("Verified")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    browsing.shot(phone, "integration-verified-phone")

    page.get_by_role("link", name="Audit log").click()
    rows = page.locator("#audit tbody")
    expect(rows).to_contain_text("Connection verified")
    expect(rows).to_contain_text("Connection check failed")
    expect(rows).to_contain_text("Key saved")
    expect(rows).not_to_contain_text("PRIVATE KEY")
    browsing.shot(page, "audit-log", docs=True)
