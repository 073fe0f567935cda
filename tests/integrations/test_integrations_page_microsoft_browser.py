"""Choosing Microsoft 365 on the Integrations page, in headless Chromium against the stand-in.

The admin picks Microsoft 365, follows its steps, pastes the app's values before admin consent
is given, reads what Microsoft refused and how to fix it, gives consent, and the page turns
verified by itself. The same page, the same status panel: only the provider's partials differ.
Then a member finds a common free time with the admin and books a Teams meeting from it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.scheduling import consent
from meetbridge.scheduling.rules import DAYS
from meetbridge.tenants.service import add_person
from tests.accessibility import grave_violations

playwright = pytest.importorskip("playwright.sync_api")

PASSWORD = "x" * 12  # the `admin` fixture's


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_chooses_microsoft_365_and_the_page_turns_verified_after_consent(
    live_server, phone_context, admin, microsoft, microsoft_settings, jobs
):
    expect = playwright.expect
    page = phone_context.new_page()
    page.clock.install()
    ben = add_person(tenant=admin.tenant, email="ben@acme.test", name="Ben", password=PASSWORD)
    setup = microsoft.quick_setup(admin.tenant.domain, [admin.email, ben.email], consent=False)

    page.goto(f"{live_server.url}/sign-in?next=/settings/integrations")
    page.get_by_label("Work e-mail").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("link", name="Microsoft 365").click()
    expect(page.get_by_role("heading", name="Set up Microsoft 365")).to_be_visible()
    expect(page.get_by_text("Calendars.ReadWrite").first).to_be_visible()
    assert grave_violations(page) == []

    page.get_by_label("Directory (tenant) ID").fill(setup.tenant_id)
    page.get_by_label("Application (client) ID").fill(setup.client_id)
    page.get_by_label("Client secret", exact=True).check()
    page.get_by_label("Client secret value").fill(setup.secret)
    page.get_by_role("button", name="Save").click()
    status = page.locator("#integration-status[role=status]")
    expect(status).to_contain_text("Microsoft")
    expect(status).to_contain_text(setup.client_id)
    assert setup.secret not in page.content()

    jobs.run_due()  # the check: no admin consent yet
    page.clock.run_for(2500)
    expect(page.locator("#problem")).to_be_visible()
    expect(status).not_to_contain_text("Verified")

    microsoft.grant_consent(setup.tenant_id, setup.client_id)
    jobs.run_due(now=datetime.now(UTC) + timedelta(minutes=2))  # the re-check by itself
    page.clock.run_for(16000)
    expect(status).to_contain_text("Verified")
    expect(status).to_contain_text("Microsoft 365")
    assert setup.secret not in page.content()

    # A member finds a time with the admin and books a Teams meeting from it.
    every_hour = {day: [["00:00", "24:00"]] for day in DAYS}
    consent.grant(admin, time_zone="America/Toronto", working_hours=every_hour)
    consent.grant(ben, time_zone="America/Toronto", working_hours=every_hour)
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/sign-in?next=/availability")
    page.get_by_label("Work e-mail").fill(ben.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    day = (datetime.now(UTC) + timedelta(days=2)).date()  # whole days ahead, whatever the hour
    page.goto(
        f"{live_server.url}/availability?with={admin.email}&first_day={day}&days=1&duration=30"
    )
    page.locator("a.slot").first.click()
    page.wait_for_url("**/meetings/new?**")
    page.get_by_label("Title").fill("Plan with Teams")
    page.get_by_label("Add a video meeting link").check()
    page.get_by_role("button", name="Book meeting").click()
    page.wait_for_url("**/meetings")
    expect(page.get_by_text("Booked “Plan with Teams”")).to_be_visible()
    [event] = [e for e in microsoft.events_of(ben.email) if e["subject"] == "Plan with Teams"]
    assert event["isOnlineMeeting"] is True
    join = page.get_by_role("link", name="Join the video call")
    expect(join).to_be_visible()
    assert join.get_attribute("href") == event["onlineMeeting"]["joinUrl"]
    assert [e["subject"] for e in microsoft.events_of(admin.email)] == ["Plan with Teams"]
