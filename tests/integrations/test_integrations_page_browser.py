"""Tried as a new admin would, in headless Chromium against a live server and the sandbox.

The admin pastes a key before authorising delegation, sees the precise diagnosis and the
client ID to paste, authorises it in the sandbox, and the page turns verified by itself.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.accessibility import grave_violations

playwright = pytest.importorskip("playwright.sync_api")

SCOPE = "https://www.googleapis.com/auth/calendar"
PASSWORD = "x" * 12  # the `admin` fixture's


@pytest.fixture
def browser_page(live_server, phone_context):
    phone_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = phone_context.new_page()
    page.clock.install()  # the page's polling timers advance when the test says so
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_admin_connects_google_and_the_page_turns_verified_by_itself(
    live_server, browser_page, admin, sandbox, google_settings, jobs
):
    page = browser_page
    expect = playwright.expect
    setup = sandbox.quick_setup(admin.tenant.domain, [admin.email], delegate=False)

    page.goto(f"{live_server.url}/sign-in?next=/settings/integrations")
    page.get_by_label("Work e-mail").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Integrations", exact=True)).to_be_visible()
    status = page.locator("#integration-status[role=status]")
    expect(status).to_contain_text("Not connected")

    page.get_by_role("link", name="Google Workspace").click()
    page.get_by_label("Paste the JSON key").fill(json.dumps(setup.key))
    page.get_by_role("button", name="Save").click()
    expect(status).to_contain_text("Checking")
    expect(page.locator(".messages")).to_contain_text("Key saved")

    jobs.run_due()  # the background check: delegation is not authorised yet
    page.clock.run_for(2500)
    # Delegation can take Google hours to apply: that is waiting (amber), not failure.
    expect(status).to_contain_text("Waiting for Google to apply domain-wide delegation")
    expect(page.locator("#problem.waiting")).to_be_visible()
    assert grave_violations(page) == []
    expect(page.locator(".messages")).to_have_count(0)  # the news replaced "checking now"
    expect(status).to_contain_text("Step 2")
    expect(status).to_contain_text(setup.client_id)

    page.get_by_role("button", name="Copy").first.click()
    assert page.evaluate("navigator.clipboard.readText()") == setup.client_id
    page.locator("button[data-copy='copy-scope']").click()
    assert page.evaluate("navigator.clipboard.readText()") == SCOPE

    sandbox.grant_delegation(setup.domain, setup.client_id, [SCOPE])  # the admin console
    jobs.run_due(now=datetime.now(UTC) + timedelta(minutes=2))  # the scheduled re-check
    page.clock.run_for(16000)
    expect(status).to_contain_text("Verified")
    expect(page.locator("#problem")).to_have_count(0)
    # After care: the next step points to the Members page; the guide folds away on reload.
    expect(status.get_by_role("link", name="Members page")).to_be_visible()
    page.reload()
    expect(page.locator("details.guide")).not_to_have_attribute("open", "")
    expect(page.get_by_label("Paste the JSON key")).to_be_hidden()
    assert grave_violations(page) == []
