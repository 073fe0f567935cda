"""In headless Chromium at a phone's width: grant calendar access, then find a time and pick it."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest

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
    page.get_by_role("link", name="Calendar access", exact=True).click()
    assert page.get_by_text("it never reads the titles").is_visible()
    page.get_by_label("Your time zone").select_option("America/Toronto")
    page.get_by_label("Friday").fill("")
    page.get_by_role("button", name="Grant access and save").click()
    assert page.get_by_text("Calendar access granted").is_visible()
    assert consent.has_granted(type(admin).objects.get(pk=admin.pk))
    screenshot(page, "calendar-access")

    page.get_by_role("link", name="Find a time").click()
    page.get_by_label("Claire (claire@acme.test)").check()
    day = next_weekday(2)
    page.get_by_label("From").fill(str(day))
    page.get_by_label("To").fill(str(day + timedelta(days=2)))
    page.get_by_label("Length").select_option("60")
    page.get_by_role("button", name="Show common free times").click()

    assert page.get_by_role("heading", name=f"{day:%A %-d %B %Y}").is_visible()
    # Friday is now Ana's day off.
    friday = day + timedelta(days=2)
    assert page.locator("h3", has_text=f"{friday:%A %-d %B %Y}").is_visible()
    assert page.get_by_text("No common free time.").is_visible()
    slot = page.get_by_role("link", name=f"Book 09:00 to 10:00 on {day:%A %-d %B}")
    assert slot.is_visible()
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "availability")
    slot.click()
    assert "/meetings/new?start=" in page.url
    assert "with=claire%40acme.test" in page.url and "duration=60" in page.url
