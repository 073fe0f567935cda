"""A member opts in on a phone: grants calendar access with a time zone and working hours, sees
it reflected for the admin, and can take it back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_grants_calendar_access_and_can_revoke_it(browsing, people):
    page = browsing.sign_in("ben@acme.test", phone=True)
    expect(page.get_by_role("heading", name="Your calendar")).to_be_visible()
    page.get_by_role("link", name="Grant calendar access").click()

    expect(page.get_by_role("heading", level=1, name="Calendar access")).to_be_visible()
    expect(page.locator("#what-we-read")).to_contain_text("never reads the titles")
    page.get_by_label("Your time zone").fill("Paris")  # not a zone's name
    page.get_by_label("Friday range 1, to").fill("12:00")
    page.get_by_role("button", name="Grant access and save").click()

    # A zone the form cannot read is named, focus goes to the summary, nothing is granted.
    summary = page.locator(".error[role=alert]")
    expect(summary).to_contain_text("Pick a time zone from the list")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Your time zone")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Your time zone").fill("Europe/Paris")
    page.get_by_role("button", name="Grant access and save").click()

    expect(page.get_by_role("status").filter(has_text="Calendar access granted")).to_be_visible()
    expect(page.get_by_label("Friday range 1, to")).to_have_value("12:00")
    expect(page.get_by_text("Granted", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    browsing.shot(page, "calendar-access-phone", docs=True)

    admin = browsing.sign_in("ana@acme.test")
    admin.goto("/members")
    ben = admin.get_by_role("row", name="Ben Okafor")
    expect(ben).to_contain_text("Granted")
    expect(ben).to_contain_text("Europe/Paris")
    expect(ben).to_contain_text("Mon–Thu 09:00–17:00; Fri 09:00–12:00")

    page.get_by_role("button", name="Revoke access").click()
    expect(page.get_by_role("status").filter(has_text="Calendar access revoked")).to_be_visible()
    expect(page.get_by_text("Not granted", exact=True)).to_be_visible()
    admin.reload()
    expect(admin.get_by_role("row", name="Ben Okafor")).to_contain_text("Not granted")
