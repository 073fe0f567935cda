"""In headless Chromium at a phone's width: book from a slot, see the decline, cancel."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.meetings.helpers import meetbridge_events, next_weekday_at
from tests.scheduling.test_browser import PHONE, page, screenshot, sign_in  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


def test_a_member_books_sees_the_colleague_decline_and_cancels(page, team):  # noqa: F811
    ben, cy = team.members[:2]
    sign_in(page, ben.email)
    start = next_weekday_at(15)
    page.goto(
        "/meetings/new?" + urlencode({"start": start.isoformat(), "with": cy.email, "duration": 30})
    )

    expect(page.get_by_role("heading", name="Book a meeting")).to_be_visible()
    expect(page.get_by_text(cy.email)).to_be_visible()
    assert page.locator(".people li").first.inner_text().startswith("Cy ")  # by name
    page.get_by_label("Title").fill("Quarterly plan")
    page.get_by_label("Add a video meeting link").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "booking")
    page.get_by_role("button", name="Book meeting").click()

    page.wait_for_url("**/meetings")
    expect(page.get_by_text("Booked “Quarterly plan”")).to_be_visible()
    [on_ben] = meetbridge_events(team.sandbox, ben.email)
    [on_cy] = meetbridge_events(team.sandbox, cy.email)
    assert on_ben["id"] == on_cy["id"]

    team.sandbox.respond(cy.email, on_cy["id"], "declined")
    page.reload()
    meeting = page.locator(f"#meeting-{on_ben['id']}")
    expect(meeting.get_by_text("declined")).to_be_visible()
    expect(meeting.get_by_role("link", name="Join the video call")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "meetings")

    # Reschedule by picking from the same free times.
    meeting.get_by_role("link", name="pick a new time").click()
    expect(page.get_by_text("Rescheduling “Quarterly plan”")).to_be_visible()
    later = (start + timedelta(hours=1)).astimezone(ZoneInfo("America/Toronto"))
    page.locator("a.slot", has_text=f"{later:%H:%M}–").first.click()
    page.wait_for_url("**/reschedule?**")
    expect(page.get_by_label("New start (America/Toronto)")).to_have_value(
        later.strftime("%Y-%m-%dT%H:%M")
    )
    # A time outside working hours is refused, and what was typed stays.
    saturday = later + timedelta(days=(5 - later.weekday()) % 7)
    typed = saturday.replace(hour=3).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("New start (America/Toronto)").fill(typed)
    page.get_by_role("button", name="Move meeting").click()
    problem = page.get_by_role("alert")
    expect(problem).to_contain_text("working hours")
    expect(problem).to_be_focused()
    expect(page.get_by_label("New start (America/Toronto)")).to_have_value(typed)
    page.get_by_label("New start (America/Toronto)").fill(later.strftime("%Y-%m-%dT%H:%M"))
    screenshot(page, "meetings-reschedule")
    page.get_by_role("button", name="Move meeting").click()
    page.wait_for_url("**/meetings")
    expect(page.get_by_text("Moved “Quarterly plan”")).to_be_visible()
    [moved] = meetbridge_events(team.sandbox, cy.email)
    assert datetime.fromisoformat(moved["start"]["dateTime"].replace("Z", "+00:00")) == later
    meeting = page.locator(f"#meeting-{on_ben['id']}")
    expect(
        meeting.get_by_text("not answered yet")
    ).to_be_visible()  # the decline was for the old time

    page.once("dialog", lambda dialog: dialog.accept())
    meeting.get_by_role("button", name="Cancel meeting").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Cancelled “Quarterly plan”")).to_be_visible()
    cancelled = page.get_by_role("region", name="Cancelled")
    expect(cancelled.get_by_role("heading", name="Quarterly plan")).to_be_visible()
    expect(
        page.get_by_role("region", name="Upcoming").get_by_text("No upcoming meetings")
    ).to_be_visible()
    assert meetbridge_events(team.sandbox, cy.email) == []
