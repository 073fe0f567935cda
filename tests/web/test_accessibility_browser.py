"""axe-core on every page and state, signed in as an admin and as a member, at 1280 and 375 px:
no critical or serious violation, and nothing wider than the screen."""

from __future__ import annotations

import shutil
from urllib.parse import urlencode

import pytest

from meetbridge.scheduling import consent
from tests.accessibility import grave_violations
from tests.browser import sized_page  # noqa: F401
from tests.meetings.helpers import next_weekday_at
from tests.scheduling.test_availability_api import next_weekday
from tests.scheduling.test_browser import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


class Checker:
    def __init__(self, page) -> None:
        self.page = page
        self.problems: list[str] = []

    def check(self, state: str) -> None:
        self.page.wait_for_load_state()
        for violation in grave_violations(self.page):
            self.problems.append(
                f"{state}: {violation['impact']} {violation['id']} ({violation['help']}) "
                f"at {violation['nodes']}"
            )
        width = self.page.evaluate("document.documentElement.scrollWidth")
        if width > self.page.viewport["width"]:
            self.problems.append(f"{state}: {width} px wide, wider than the screen")

    def visit(self, path: str, state: str | None = None) -> None:
        self.page.goto(path)
        self.check(state or path)


def test_every_page_and_state_of_a_member(sized_page, team):  # noqa: F811
    page = sized_page
    ben, cy = team.members[:2]
    consent.grant(cy, time_zone="Europe/Paris")
    checker = Checker(page)

    page.goto("/sign-in")
    checker.check("sign-in")
    page.get_by_label("Work e-mail").fill(ben.email)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    checker.check("sign-in, wrong password")
    sign_in(page, ben.email)
    checker.check("home (member)")
    if page.viewport["width"] < 600:
        page.get_by_role("button", name="Menu").click()
        checker.check("menu open")

    checker.visit("/me/calendar", "calendar access, granted")
    page.get_by_label("Your time zone").fill("Mars/Base")
    page.get_by_role("button", name="Save changes").click()
    checker.check("calendar access, error summary")
    assert page.locator(".error[role=alert]").evaluate("e => e === document.activeElement")
    page.get_by_label("Your time zone").fill("America/Toronto")
    page.get_by_role("button", name="Save changes").click()
    checker.check("calendar access, saved (message)")

    checker.visit("/availability", "find a time, empty")
    checker.visit(f"/availability?first_day={next_weekday(2)}", "find a time, no colleague")
    page.get_by_role("combobox", name="Add a colleague").fill("cy")
    page.get_by_role("option").first.wait_for()
    checker.check("find a time, picker open")
    day = next_weekday(2)
    checker.visit(f"/availability?with={cy.email}&first_day={day}", "find a time, results")

    start = next_weekday_at(10)
    booking = "/meetings/new?" + urlencode(
        {"start": start.isoformat(), "with": cy.email, "duration": 30}
    )
    checker.visit(booking, "booking form")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Book meeting").click()
    checker.check("booking form, error")
    page.get_by_label("Title").fill("Plan")
    page.get_by_role("button", name="Book meeting").click()
    page.wait_for_url("**/meetings")
    checker.check("meetings, booked (message)")
    checker.visit("/meetings", "meetings")
    page.get_by_role("link", name="pick a new time").first.click()
    checker.check("find a time, rescheduling")
    page.locator("a.slot").first.click()
    checker.check("reschedule, confirm")
    page.get_by_label("New start (America/Toronto)").fill("2020-01-01T03:00")
    page.get_by_role("button", name="Move meeting").click()
    checker.check("reschedule, refused")
    checker.visit("/no-such-page", "404")

    consent.revoke(ben)
    checker.visit("/me/calendar", "calendar access, not granted")
    checker.visit("/availability", "find a time, no access")
    assert checker.problems == []


def test_every_page_of_an_admin(sized_page, team):  # noqa: F811
    page = sized_page
    checker = Checker(page)
    sign_in(page, team.admin.email)
    checker.check("home (admin)")
    for path in ("/settings/integrations", "/members", "/audit", "/meetings", "/me/calendar"):
        checker.visit(path)
    assert checker.problems == []
