"""In Chromium at 1280 and 375 px: pick people by typing, read the grid, book from it by
keyboard alone; rules hide times."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from meetbridge.meetings.models import Booking
from meetbridge.scheduling import consent
from tests.browser import sized_page  # noqa: F401
from tests.conftest import api_as
from tests.meetings.helpers import meetbridge_events
from tests.scheduling.test_availability_api import at, event, next_weekday
from tests.scheduling.test_browser import screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport["width"]


def tab_to(page, locator, *, most: int = 60) -> int:
    """Presses Tab until `locator` has focus; answers how many presses it took."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{locator} never got focus in {most} Tabs")


def test_pick_a_colleague_by_typing_then_book_from_the_grid_by_keyboard(sized_page, team):  # noqa: F811
    page = sized_page
    ben, cy = team.members[:2]
    consent.grant(cy, time_zone="Europe/Paris")
    day = next_weekday(2)
    team.sandbox.seed_event(cy.email, event(at(day, 9), at(day, 10)))
    sign_in(page, ben.email)
    page.goto(f"/availability?first_day={day}")

    # No colleague yet: the page asks for one, and focus lands on the error summary.
    expect(page.get_by_text("Pick at least one colleague")).to_be_visible()

    # The picker: type part of a name, move with the arrow key, pick with Enter.
    field = page.get_by_role("combobox", name="Add a colleague")
    field.focus()
    page.keyboard.type("cy")
    option = page.get_by_role("option", name="Cy")
    option.wait_for()
    assert "Paris" in option.inner_text() and "there now" in option.inner_text()
    page.keyboard.press("ArrowDown")
    assert field.get_attribute("aria-activedescendant") == option.get_attribute("id")
    page.keyboard.press("Enter")
    expect(page.get_by_role("checkbox", name="Cy")).to_be_checked()
    expect(field).to_have_value("")
    page.get_by_label("Show").select_option("1")
    screenshot(page, f"find-a-time-picker-{page.viewport['width']}")
    page.get_by_role("button", name="Show free times").click()

    # Results: focus on their heading; the grid lists each person's day and the common time.
    heading = page.get_by_role("heading", name="with Cy")
    heading.wait_for()
    expect(heading).to_be_focused()
    expect(page.get_by_text("Cy Paris, 6 h ahead")).to_be_visible()
    expect(page.locator(".grid.drawn .busy")).to_have_count(1)
    no_sideways_scroll(page)
    screenshot(page, f"find-a-time-grid-{page.viewport['width']}")

    # Keyboard only: Tab from the results heading to the first free time, Enter books it.
    first = page.locator("a.slot").first
    assert first.inner_text().startswith("10:00–10:30")
    assert re.search(r"Cy — 16:00 Paris \(CES?T\)", first.inner_text())
    assert tab_to(page, first) <= 4
    page.keyboard.press("Enter")
    page.wait_for_url("**/meetings/new?**")
    title = page.get_by_label("Title")
    expect(title).to_be_focused()
    # Each person's own clock, in words: on the form as in the grid.
    expect(page.get_by_text(re.compile(r"^16:00–16:30 Paris \(CES?T\)$")).first).to_be_visible()
    expect(title).to_have_value("Ben and Cy")  # a suggested title, replaced here
    page.keyboard.press("Control+a")
    page.keyboard.type("Plan")
    page.keyboard.press("Enter")
    page.wait_for_url("**/meetings")
    assert Booking.objects.get().start == at(day, 10)
    [on_cy] = meetbridge_events(team.sandbox, cy.email)
    assert on_cy["summary"] == "Plan"


def test_a_free_time_in_the_grid_is_clicked_to_book(sized_page, team):  # noqa: F811
    page = sized_page
    ben, cy = team.members[:2]
    day = next_weekday(2)
    sign_in(page, ben.email)
    page.goto(f"/availability?with={cy.email}&first_day={day}&days=1&duration=60&interval=60")
    free = page.locator(".grid.drawn .free").first
    free.scroll_into_view_if_needed()
    box = free.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/meetings/new?**")
    assert "duration=60" in page.url


def test_a_buffer_hides_the_adjacent_slots_and_a_full_day_offers_nothing(sized_page, team):  # noqa: F811
    page = sized_page
    ben, cy = team.members[:2]
    day = next_weekday(2)
    team.sandbox.seed_event(cy.email, event(at(day, 10), at(day, 11)))
    sign_in(page, ben.email)
    url = f"/availability?with={cy.email}&first_day={day}&days=1&duration=30"
    page.goto(url)
    starts = page.locator("a.slot").all_inner_texts()
    assert any(s.startswith("09:30–10:00") for s in starts)
    assert any(s.startswith("11:00–11:30") for s in starts)

    consent.grant(cy, rules={"buffer_before_minutes": 15, "buffer_after_minutes": 30})
    page.goto(url)
    starts = page.locator("a.slot").all_inner_texts()
    assert not any(s.startswith(("09:30", "09:15", "11:00")) for s in starts)
    assert any(s.startswith("11:15–11:45") for s in starts)

    consent.grant(cy, rules={"max_meetings_per_day": 1})
    one = {"attendees": [cy.email], "start": at(day, 14).isoformat(), "duration": 30, "title": "1"}
    assert api_as(ben).post("/meetings", one).status_code == 201
    page.goto(url)
    expect(page.locator("a.slot")).to_have_count(0)
    expect(page.get_by_text("No time this day suits everyone.")).to_be_visible()
    no_sideways_scroll(page)
