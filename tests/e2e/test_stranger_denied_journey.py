"""People outside a page's audience are turned away with a page that says why, never a crash;
a person of another tenant reaches nothing of Acme through any admin or member page."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from meetbridge.meetings.booking import book
from meetbridge.meetings.models import Booking
from meetbridge.scheduling import consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_PAGES = ["/settings/integrations", "/members", "/audit"]
ACME_NAMES = ("Ana Alvarez", "Ben Okafor", "Chloé Martin", "acme.test")


def _next_weekday_at_ten() -> datetime:
    zone = ZoneInfo("America/Toronto")
    day = datetime.now(zone).date() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=zone)


def test_a_member_is_refused_every_admin_page(browsing, people):
    page = browsing.sign_in("ben@acme.test")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Members")).to_have_count(0)
    expect(nav.get_by_role("link", name="Integrations")).to_have_count(0)
    for path in ADMIN_PAGES:
        response = page.goto(path)
        assert response.status == 403, path
        expect(page.get_by_role("heading", name="You cannot open this page")).to_be_visible()
    browsing.shot(page, "denied")


def test_a_member_of_another_tenant_reaches_nothing_of_acme(
    browsing, people, sandbox, connected_acme, worker
):
    start = _next_weekday_at_ten()
    meeting = book(
        people["ben"], attendees=["chloe@acme.test"], start=start, duration=30, title="Acme plans"
    )
    consent.grant(people["gus"], time_zone="Europe/London")

    page = browsing.sign_in("gus@globex.test")
    for path in ADMIN_PAGES:
        assert page.goto(path).status == 403, path
        expect(page.get_by_role("heading", name="You cannot open this page")).to_be_visible()

    for path in ("/", "/me/calendar", "/availability", "/meetings"):
        assert page.goto(path).status == 200, path
        for name in ACME_NAMES:
            expect(page.locator("main")).not_to_contain_text(name)

    # Addresses and ids of Acme typed into the address bar are refused, with a reason.
    slot = start.isoformat()
    day = start.date().isoformat()
    page.goto(f"/availability?with=ben@acme.test&first_day={day}&last_day={day}&duration=30")
    expect(page.locator("#form-errors")).to_contain_text("ben@acme.test")
    expect(page.locator("a.slot")).to_have_count(0)
    response = page.goto(f"/meetings/new?start={slot}&duration=30&with=ben@acme.test")
    assert response.status == 422
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("button", name="Book meeting")).to_have_count(0)
    assert page.goto(f"/meetings/{meeting['id']}.ics").status == 404

    page.goto("/meetings")
    csrf = page.evaluate("document.cookie.match(/csrftoken=([^;]+)/)[1]")
    answer = page.request.post(
        f"/meetings/{meeting['id']}/cancel",
        form={"csrfmiddlewaretoken": csrf},
        headers={"Referer": page.url},
    )
    assert answer.ok
    assert Booking.objects.get(event_id=meeting["id"]).state == "confirmed"
    assert any(
        e["id"] == meeting["id"] and e.get("status") != "cancelled"
        for e in sandbox.events_of("chloe@acme.test")
    )


def test_an_admin_of_another_tenant_sees_only_their_own(browsing, people):
    page = browsing.sign_in("gia@globex.test")
    page.goto("/members")
    expect(page.get_by_role("row", name="Gia Admin")).to_be_visible()
    page.goto("/audit")
    page.goto("/settings/integrations")
    expect(page.locator("#integration-status")).to_contain_text("Not connected")
    for path in ("/members", "/audit", "/settings/integrations"):
        page.goto(path)
        for name in ACME_NAMES:
            expect(page.locator("main")).not_to_contain_text(name)
