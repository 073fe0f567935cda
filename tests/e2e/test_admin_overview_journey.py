"""An admin looks over the organisation: home, Members and the Audit log, on desktop and phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from meetbridge.audit.service import record
from meetbridge.scheduling.models import CalendarAccess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sees_who_granted_access_and_what_was_done(browsing, people, worker):
    CalendarAccess.objects.create(person=people["ben"], granted=True, time_zone="Europe/Paris")
    record(
        tenant=people["acme"],
        kind="consent_change",
        operation="calendar_access.granted",
        actor=people["ben"],
        subject_email="ben@acme.test",
    )

    page = browsing.sign_in("ana@acme.test")
    expect(page.get_by_role("heading", name="Your organisation")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1, name="Members")).to_be_visible()
    expect(page.locator("#members-summary")).to_contain_text("1 of 3 people")
    ben_row = page.get_by_role("row", name="Ben Okafor")
    expect(ben_row).to_contain_text("Granted")
    expect(ben_row).to_contain_text("Europe/Paris")
    expect(page.get_by_role("row", name="Chloé Martin")).to_contain_text("Not granted")
    browsing.shot(page, "members-desktop")

    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
    expect(page.locator("#audit tbody tr").first).to_contain_text("Granted calendar access")

    phone = browsing.sign_in("ana@acme.test", phone=True)
    phone.goto("/members")
    expect(phone.get_by_role("row", name="Ben Okafor")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the Members page scrolls sideways on a phone ({width}px wide)"
    browsing.shot(phone, "members-phone", docs=True)


def test_the_skip_link_is_the_first_stop_for_keyboard_users(browsing, people):
    page = browsing.sign_in("ana@acme.test")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
