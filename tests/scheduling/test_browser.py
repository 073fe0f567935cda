"""In headless Chromium at a phone's width: grant calendar access, then find a time and pick it."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from meetbridge.scheduling import consent
from meetbridge.tenants.service import add_person
from tests.browser import PHONE
from tests.scheduling.test_availability_api import next_weekday

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


@pytest.fixture
def page(phone_context):
    return phone_context.new_page()


def screenshot(page, name: str) -> None:
    """For a person reviewing the pages: MEETBRIDGE_SCREENSHOTS=DIR keeps full-page images."""
    folder = os.environ.get("MEETBRIDGE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def sign_in(page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Work e-mail").fill(email)
    page.get_by_label("Password").fill("x" * 12)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_member_grants_access_then_books_from_a_common_free_time(
    page, tenant, admin, connected, sandbox
):
    claire = add_person(tenant=tenant, email="claire@acme.test", name="Claire", password="x" * 12)
    sandbox.add_user(tenant.domain, claire.email)
    consent.grant(claire, time_zone="Europe/Paris")

    sign_in(page, admin.email)
    # At a phone's width the navigation folds into a menu.
    nav_link = page.get_by_role("link", name="Calendar access", exact=True)
    expect(nav_link).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    nav_link.click()
    expect(page.get_by_text("it never reads the titles")).to_be_visible()
    zone = page.get_by_label("Your time zone")
    # The browser's zone (headless Chromium's), set by the page's script once it has run.
    expect(zone).to_have_value("UTC")
    zone.fill("America/Toronto")
    page.get_by_label("Friday", exact=True).uncheck()
    page.get_by_label("Monday range 1, to").fill("12:00")
    page.get_by_role("button", name="Add a range on Monday").click()
    expect(page.get_by_label("Monday range 2, from")).to_have_value("12:00")
    page.get_by_label("Monday range 2, from").fill("13:00")
    page.get_by_label("Monday range 2, to").fill("17:00")
    page.get_by_label("Free time after meetings").select_option("15")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Grant access and save").click()
    expect(page.get_by_text("Calendar access granted")).to_be_visible()
    state = consent.consent_of(type(admin).objects.get(pk=admin.pk))
    assert state.granted and state.time_zone == "America/Toronto"
    assert state.working_hours["mon"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert "fri" not in state.working_hours
    assert state.rules.buffer_after_minutes == 15
    screenshot(page, "calendar-access")

    # Copy Monday to every working day.
    page.get_by_role("button", name="Copy to all days from Monday").click()
    expect(page.get_by_label("Tuesday range 2, to")).to_have_value("17:00")
    expect(page.get_by_label("Friday range 1, from")).to_be_hidden()  # a day off stays off

    day = next_weekday(2)
    page.goto(f"/availability?with={claire.email}&first_day={day}&duration=60")
    expect(page.get_by_role("heading", name=f"{day:%A %-d %B}")).to_be_visible()
    # Friday is Ana's day off, but Claire works: the day is shown, with nothing in common.
    friday = day + timedelta(days=2)
    expect(page.get_by_role("heading", name=f"{friday:%A %-d %B}")).to_be_visible()
    expect(page.get_by_text("No time this day suits everyone.").first).to_be_visible()
    # Its accessible name starts with what it shows, then says the day and what it does.
    slot = page.get_by_role("link", name="09:00–10:00 Claire — 15:00 Paris (CE").first
    assert f"{day:%A %-d %B}: book" in slot.text_content()
    expect(slot).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "availability")
    slot.click()
    page.wait_for_url("**/meetings/new?**")
    assert "/meetings/new?start=" in page.url
    assert "with=claire%40acme.test" in page.url and "duration=60" in page.url
