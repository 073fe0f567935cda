"""Two colleagues in Toronto and Paris find a common free slot and book it; the meeting lands on
both calendars in the sandbox and on the Meetings page, the attendee's answer shows up, and the
organizer cancels it."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TORONTO = ZoneInfo("America/Toronto")


def a_weekday_ahead(days: int = 2) -> date:
    day = datetime.now(TORONTO).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_two_colleagues_book_a_common_slot_then_cancel_it(
    browsing, people, sandbox, connected_acme, worker
):
    day = a_weekday_ahead()
    # Chloé (Paris) is busy for Ben's first half hour of the day; a free-marked event is not busy.
    start = datetime.combine(day, time(9, 0), tzinfo=TORONTO)
    sandbox.seed_event(
        "chloe@acme.test",
        {
            "summary": "Paris team sync",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()},
        },
    )
    sandbox.seed_event(
        "chloe@acme.test",
        {
            "summary": "Focus time",
            "transparency": "transparent",
            "start": {"dateTime": (start + timedelta(minutes=30)).isoformat()},
            "end": {"dateTime": (start + timedelta(hours=2)).isoformat()},
        },
    )

    page = browsing.sign_in("ben@acme.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Find a time").click()
    page.get_by_role("combobox", name="Add a colleague").fill("chlo")
    page.get_by_role("option", name="Chloé Martin").click()
    page.get_by_label("From").fill(day.isoformat())
    page.get_by_label("Show").select_option("1")
    page.get_by_label("Length").select_option("30")
    page.get_by_role("button", name="Show free times").click()

    results = page.locator("section#results")
    expect(results.get_by_role("heading", level=3)).to_have_text(f"{day:%A %-d %B}")
    first_slot = results.locator("a.slot").first
    expect(first_slot).to_contain_text("09:30–10:00")
    # Each slot names Chloé's own clock in words, not only an offset.
    expect(first_slot).to_contain_text(re.compile(r"Chloé Martin — 15:30 Paris \(CES?T\)"))
    browsing.shot(page, "find-a-time", docs=True)
    browsing.shot(page, "find-a-time-results", docs=True, element=results)

    first_slot.click()
    expect(page.get_by_role("heading", level=1, name="Book a meeting")).to_be_visible()
    expect(page.locator(".people")).to_contain_text(
        re.compile(r"Chloé Martin — 15:30–16:00 Paris \(CES?T\)")
    )
    browsing.shot(page, "book-a-meeting", docs=True)
    page.get_by_label("Title").fill("Roadmap check-in")  # in place of the suggested title
    page.get_by_role("button", name="Book meeting").click()

    expect(page.get_by_role("heading", level=1, name="Meetings")).to_be_visible()
    card = page.locator("li.meeting").filter(has_text="Roadmap check-in")
    expect(card).to_be_visible()
    expect(card).to_contain_text("chloe@acme.test")

    page.get_by_role("link", name="Home").click()
    expect(page.locator("#upcoming li")).to_contain_text(
        re.compile(r"Roadmap check-in — .* with Chloé Martin")
    )
    page.go_back()

    # The event is on both calendars, inserted once with meetbridge's private marker.
    ben_events = [
        e for e in sandbox.events_of("ben@acme.test") if e["summary"] == "Roadmap check-in"
    ]
    chloe_events = [
        e for e in sandbox.events_of("chloe@acme.test") if e["summary"] == "Roadmap check-in"
    ]
    assert len(ben_events) == 1 and len(chloe_events) == 1
    event = ben_events[0]
    assert event["id"] == chloe_events[0]["id"]
    assert datetime.fromisoformat(event["start"]["dateTime"]) == start + timedelta(minutes=30)
    assert event.get("extendedProperties", {}).get("private")

    # Chloé declines in her calendar (the sandbox's console); Meetings reads the answer back.
    console = browsing.page()
    console.goto(sandbox.url + "/")
    console.get_by_role("link", name="chloe@acme.test").click()
    invitation = console.get_by_role("row").filter(has_text="Roadmap check-in")
    invitation.get_by_label("Your answer").select_option("declined")
    invitation.get_by_role("button", name="Answer").click()
    expect(console.get_by_text("Answer saved.")).to_be_visible()
    page.reload()
    chloe_answer = page.locator("li.meeting").filter(has_text="Roadmap check-in")
    answer = chloe_answer.get_by_role("listitem").filter(has_text="chloe@acme.test")
    expect(answer).to_contain_text(re.compile("declined", re.IGNORECASE))
    browsing.shot(page, "meetings", docs=True)

    phone = browsing.sign_in("chloe@acme.test", phone=True)
    phone.goto(f"/availability?with=ben@acme.test&first_day={day}&days=1")
    expect(phone.locator("a.slot").first).to_contain_text("Ben Okafor — ")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    browsing.shot(phone, "find-a-time-phone", docs=True, element=phone.locator("#results"))
    phone.goto("/meetings")
    expect(phone.locator("li.meeting").filter(has_text="Roadmap check-in")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    browsing.shot(phone, "meetings-phone", docs=True)

    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Cancel meeting").click()
    expect(page.locator("li.meeting").filter(has_text="Roadmap check-in")).to_contain_text(
        "Cancelled"
    )
    remaining = [
        e
        for e in sandbox.events_of("chloe@acme.test")
        if e["summary"] == "Roadmap check-in" and e.get("status") != "cancelled"
    ]
    assert remaining == []
