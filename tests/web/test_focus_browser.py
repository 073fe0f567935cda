"""Where focus lands after an action, in Chromium: on the results after Find a time, on the
booking form's first field, and on the error summary of any form that was refused (so a screen
reader reads what went wrong, and a keyboard user starts from there)."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from meetbridge.scheduling import consent
from tests.browser import DESKTOP, sized_page  # noqa: F401
from tests.scheduling.test_availability_api import next_weekday
from tests.scheduling.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
    # Focus does not depend on the width: one desktop run (the axe test covers both widths).
    pytest.mark.parametrize("sized_page", [DESKTOP], indirect=True, ids=["1280px"]),
]


def test_focus_follows_a_member_through_find_a_time_booking_and_refusals(sized_page, team):  # noqa: F811
    page = sized_page
    ben, cy = team.members[:2]
    consent.grant(cy, time_zone="Europe/Paris")

    page.goto("/sign-in")
    page.get_by_label("Work e-mail").fill(ben.email)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#sign-in-error")).to_be_focused()
    sign_in(page, ben.email)

    # Find a time without a colleague: the error summary.
    page.goto(f"/availability?first_day={next_weekday(2)}")
    expect(page.locator("#form-errors")).to_be_focused()

    # Find a time: focus on the results' heading, which names what was found.
    page.get_by_role("combobox", name="Add a colleague").fill("cy")
    page.get_by_role("option", name="Cy").click()
    page.get_by_label("Show").select_option("1")
    page.get_by_role("button", name="Show free times").click()
    page.wait_for_url("**/availability?**")
    results = page.locator("#results-heading")
    expect(results).to_be_focused()
    assert "with Cy" in results.inner_text()

    # A free time: the booking form opens with focus on its first field.
    page.locator("a.slot").first.click()
    page.wait_for_url("**/meetings/new?**")
    expect(page.get_by_label("Title")).to_be_focused()

    # A refused booking form: the summary, which links to the field.
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Book meeting").click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Title").click()
    expect(page.get_by_label("Title")).to_be_focused()
    page.get_by_label("Title").fill("Plan")
    page.get_by_role("button", name="Book meeting").click()
    page.wait_for_url("**/meetings")
    expect(page.locator(".messages")).to_be_focused()

    # Rescheduling: a picked time's page starts on the new start; a refusal on its summary.
    page.get_by_role("link", name="pick a new time").first.click()
    page.locator("a.slot").first.click()
    page.wait_for_url("**/reschedule?**")
    expect(page.get_by_label("New start", exact=False)).to_be_focused()
    page.get_by_label("New start", exact=False).fill("2020-01-01T03:00")
    page.get_by_role("button", name="Move meeting").click()
    expect(page.locator(".error[role=alert]")).to_be_focused()

    # Calendar access and API tokens: refused forms start on what was refused.
    page.goto("/me/calendar")
    page.get_by_label("Your time zone").fill("Mars/Base")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".error[role=alert]")).to_be_focused()
    page.goto("/settings/api-tokens")
    page.get_by_label("Name").fill("script")
    page.get_by_label("Expires after (days)").fill("99999")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#token-problem")).to_be_focused()


def test_focus_lands_on_what_an_admin_s_refused_forms_say(sized_page, admin, google_settings):  # noqa: F811
    page = sized_page
    sign_in(page, admin.email)
    page.goto("/members")
    page.get_by_label("E-mail").fill("nia@elsewhere.test")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("#invite-problem")).to_be_focused()

    page.goto("/settings/integrations?provider=google")
    page.get_by_role("button", name="Save").click()
    # The summary of the key form, or its field when the refusal is the field's own.
    expect(page.locator(".key-form :focus")).to_have_count(1)
