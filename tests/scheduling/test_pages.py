"""The Calendar access and Find a time pages, as a signed-in member uses them."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from meetbridge.audit.models import AuditEvent
from meetbridge.scheduling import consent
from meetbridge.scheduling.grid import zone_abbreviation
from meetbridge.tenants.models import Person
from meetbridge.tenants.service import add_person
from tests.scheduling.test_availability_api import PARIS, TORONTO, event, next_weekday


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


WEEK = {
    "time_zone": "Europe/Paris",
    "mon_on": "1",
    "mon_start": ["09:00", "13:00", ""],
    "mon_end": ["12:00", "17:00", ""],
    "tue_on": "1",
    "tue_start": ["09:00"],
    "tue_end": ["17:00"],
    "wed_start": ["09:00"],  # a day turned off keeps what its fields say, unused
    "wed_end": ["17:00"],
    "thu_on": "1",
    "thu_start": ["22:00"],
    "thu_end": ["06:00"],
    "fri_on": "1",
    "fri_start": ["09:00"],
    "fri_end": ["17:00"],
    "buffer_before_minutes": "0",
    "buffer_after_minutes": "15",
    "minimum_notice_minutes": "60",
    "max_meetings_per_day": "",
}


def test_signing_in_is_needed(client):
    response = client.get("/me/calendar")
    assert response.status_code == 302 and "/sign-in" in response["Location"]


def test_the_page_says_what_is_read_and_offers_to_grant(member):
    response = signed_in(member).get("/me/calendar")
    assert response.status_code == 200
    page = text_of(response)
    assert "meetbridge reads only when you are busy" in page
    assert "it never reads the titles, descriptions, places or guests of your other events" in page
    assert "Not granted" in page and "Grant access and save" in page
    html = response.content.decode()
    assert 'value="America/Toronto" list="time-zones"' in html
    assert 'name="mon_on" value="1" checked' in html and 'name="sat_on" value="1">' in html
    assert 'name="mon_start" value="09:00"' in html and 'name="mon_end" value="17:00"' in html
    # The zone picker lists places, not the tz database's old aliases.
    assert '<option value="Europe/Paris">' in html
    assert "Africa/Asmera" not in html and "US/Eastern" not in html and "Etc/" not in html


def test_granting_with_a_working_week_from_the_form(member, tenant):
    client = signed_in(member)
    response = client.post("/me/calendar", {"action": "grant", **WEEK})
    assert response.status_code == 302
    state = consent.consent_of(member)
    assert state.granted and state.time_zone == "Europe/Paris"
    assert state.working_hours == {
        "mon": [["09:00", "12:00"], ["13:00", "17:00"]],
        "tue": [["09:00", "17:00"]],
        "thu": [["22:00", "06:00"]],
        "fri": [["09:00", "17:00"]],
    }
    assert state.rules.as_dict() == {
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 15,
        "minimum_notice_minutes": 60,
        "max_meetings_per_day": None,
    }
    page = text_of(client.get(response["Location"]))
    assert "Calendar access granted" in page and "Revoke access" in page
    assert AuditEvent.objects.filter(tenant=tenant, kind="consent_change").count() == 1


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"mon_start": ["9", "13:00", ""]}, "Monday range 1: '9' is not a time"),
        ({"mon_start": ["09:00", "", ""]}, "Monday: give both a start and an end"),
        (
            {"fri_start": ["09:00", "11:00"], "fri_end": ["12:00", "13:00"]},
            "Friday 09:00-12:00 overlaps Friday 11:00-13:00",
        ),
        (
            {"fri_start": ["05:00"], "fri_end": ["09:00"]},
            "Thursday 22:00-06:00 overlaps Friday",
        ),
        ({"time_zone": "Mars/Base"}, "Pick a time zone from the list"),
        (
            {"tue_start": [""], "tue_end": [""]},
            "Tuesday: give a working range, or turn the day off",
        ),
        (dict.fromkeys(("mon_on", "tue_on", "thu_on", "fri_on"), ""), "at least one working range"),
        ({"max_meetings_per_day": "0"}, "greater than or equal to 1"),
    ],
)
def test_mistakes_are_shown_and_nothing_is_saved(member, change, says):
    response = signed_in(member).post("/me/calendar", {"action": "grant", **WEEK, **change})
    assert response.status_code == 200
    assert says in text_of(response)
    assert 'role="alert"' in response.content.decode()
    assert not consent.has_granted(member)


def test_revoking_from_the_page(member):
    consent.grant(member)
    client = signed_in(member)
    response = client.post("/me/calendar", {"action": "revoke"})
    assert response.status_code == 302
    assert not consent.has_granted(Person.objects.get(pk=member.pk))
    assert "Calendar access revoked" in text_of(client.get("/me/calendar"))


def test_finding_a_time_needs_ones_own_consent_first(member):
    page = text_of(signed_in(member).get("/availability"))
    assert "first grant calendar access" in page


def test_only_colleagues_who_granted_access_are_found(admin, tenant):
    consent.grant(admin)
    consent.grant(add_person(tenant=tenant, email="claire@acme.test", name="Claire"))
    add_person(tenant=tenant, email="shy@acme.test", name="Shy")
    api = signed_in(admin)
    found = api.get("/api/v1/people", {"q": "acme"}).json()
    assert [p["email"] for p in found] == ["claire@acme.test"]
    assert found[0]["time_zone"] == "America/Toronto"
    assert re.fullmatch(r"\d\d:\d\d", found[0]["local_time"])
    assert api.get("/api/v1/people", {"q": "shy"}).json() == []
    assert [p["name"] for p in api.get("/api/v1/people", {"q": "CLA acme"}).json()] == ["Claire"]
    # Nobody chosen: the page asks for a colleague rather than showing one's own free time.
    response = api.get("/availability", {"first_day": str(next_weekday(1))})
    assert "Pick at least one colleague" in text_of(response)
    assert 'id="results' not in response.content.decode()


def test_many_colleagues_are_searched_in_pages_of_at_most_twenty(admin, tenant):
    consent.grant(admin)
    for n in range(30):
        consent.grant(add_person(tenant=tenant, email=f"p{n:02d}@acme.test", name=f"Pat {n:02d}"))
    found = signed_in(admin).get("/api/v1/people", {"q": "pat", "limit": 20}).json()
    assert len(found) == 20
    assert found[0]["name"] == "Pat 00"
    too_many = signed_in(admin).get("/api/v1/people", {"q": "pat", "limit": 500})
    assert too_many.status_code == 422
    assert "error" in too_many.json()


def hourly(start: datetime, end: datetime) -> list[str]:
    """'HH:MM–HH:MM' of each whole hour from start to end, on Toronto's clock."""
    labels = []
    while start + timedelta(hours=1) <= end:
        stop = start + timedelta(hours=1)
        labels.append(f"{start.astimezone(TORONTO):%H:%M}–{stop.astimezone(TORONTO):%H:%M}")
        start = stop
    return labels


def test_common_free_times_by_day_each_leading_to_booking(admin, tenant, connected, sandbox):
    consent.grant(admin, time_zone="America/Toronto")
    claire = add_person(tenant=tenant, email="claire@acme.test", name="Claire")
    sandbox.add_user(tenant.domain, claire.email)
    consent.grant(claire, time_zone="Europe/Paris")
    day = next_weekday(2)
    opens = datetime.combine(day, time(9), tzinfo=TORONTO)
    closes = datetime.combine(day, time(17), tzinfo=PARIS)
    sandbox.seed_event(claire.email, event(opens, opens + timedelta(hours=1)))

    response = signed_in(admin).get(
        "/availability",
        {"with": claire.email, "first_day": str(day), "days": 1, "duration": 60, "interval": 60},
    )
    assert response.status_code == 200
    page = text_of(response)
    slots = hourly(opens + timedelta(hours=1), closes)
    assert len(slots) == 1
    assert "1 free time with Claire" in page
    # The grid as lists: each person's working hours (and Claire's own clock), busy time,
    # and the common free time; then the slots, each with Claire's local time.
    assert f"{day:%A %-d %B}" in page
    assert "Claire Paris, 6 h ahead" in page
    assert "Works 03:00–11:00 (09:00–17:00 in Paris)" in page
    assert "Busy 09:00–10:00 (15:00–16:00 in Paris)" in page
    assert "Free 10:00–11:00" in page
    paris = zone_abbreviation(opens.astimezone(PARIS))  # CET, or CEST in summer
    assert f"{slots[0]} Claire — 16:00 Paris ({paris}) , {day:%A %-d %B}: book" in page
    links = re.findall(r'href="(/meetings/new\?[^"]+)"', response.content.decode())
    assert len(links) == len(slots)
    first = parse_qs(urlsplit(unescape(links[0])).query)
    assert first == {
        "start": [(opens + timedelta(hours=1)).isoformat()],
        "with": [claire.email],
        "duration": ["60"],
    }
    # Weeks: a weekend nobody works is left out, and the next week is a link away.
    week = text_of(
        signed_in(admin).get(
            "/availability", {"with": claire.email, "first_day": str(day), "duration": 60}
        )
    )
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    assert f"{saturday:%A %-d %B}" not in week
    assert "Next week →" in week and "← Previous week" in week


def test_an_unreadable_calendar_is_named_on_the_page(admin, tenant, connected):
    consent.grant(admin)
    ghost = add_person(tenant=tenant, email="ghost@acme.test", name="Ghost")
    consent.grant(ghost)
    day = next_weekday(1)
    page = text_of(
        signed_in(admin).get(
            "/availability",
            {
                "with": ghost.email,
                "first_day": str(day),
                "days": 1,
                "duration": 30,
                "interval": 15,
            },
        )
    )
    assert "The calendar system could not read Ghost's calendar (notFound)" in page
    assert "0 free times" in page


def test_a_day_too_far_ahead_is_refused_on_the_form(admin, tenant):
    consent.grant(admin)
    consent.grant(add_person(tenant=tenant, email="claire@acme.test", name="Claire"))
    today = datetime.now(TORONTO).date()
    page = text_of(
        signed_in(admin).get(
            "/availability",
            {"with": "claire@acme.test", "first_day": str(today + timedelta(days=70))},
        )
    )
    assert "Look at most 55 days ahead" in page


def test_an_unconnected_organisation_is_explained_on_the_page(admin):
    consent.grant(admin)
    consent.grant(add_person(tenant=admin.tenant, email="claire@acme.test", name="Claire"))
    day = next_weekday(1)
    page = text_of(
        signed_in(admin).get(
            "/availability", {"with": "claire@acme.test", "first_day": str(day), "days": 1}
        )
    )
    assert "has not connected its calendar system" in page
    assert "Ask a tenant admin" in page
