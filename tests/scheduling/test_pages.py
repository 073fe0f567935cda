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
    "mon": "09:00-12:00, 13:00-17:00",
    "tue": "9:00 - 17:00",
    "wed": "",
    "thu": "22:00-06:00",
    "fri": "09:00-17:00",
    "sat": "",
    "sun": "",
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
    assert 'value="America/Toronto" selected' in response.content.decode()
    assert 'value="09:00-17:00"' in response.content.decode()


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
    page = text_of(client.get(response["Location"]))
    assert "Calendar access granted" in page and "Revoke access" in page
    assert AuditEvent.objects.filter(tenant=tenant, kind="consent_change").count() == 1


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"mon": "nine to five"}, "“nine to five” is not a range; write ranges like 09:00-17:00"),
        ({"fri": "09:00-12:00, 11:00-13:00"}, "Friday 09:00-12:00 overlaps Friday 11:00-13:00"),
        ({"thu": "22:00-06:00", "fri": "05:00-09:00"}, "Thursday 22:00-06:00 overlaps Friday"),
        ({"time_zone": "Mars/Base"}, "Select a valid choice"),
        (dict.fromkeys(("mon", "tue", "thu", "fri"), ""), "at least one working range"),
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


def test_only_colleagues_who_granted_access_are_offered(admin, tenant):
    consent.grant(admin)
    consent.grant(add_person(tenant=tenant, email="claire@acme.test", name="Claire"))
    add_person(tenant=tenant, email="shy@acme.test", name="Shy")
    page = text_of(signed_in(admin).get("/availability"))
    assert "Claire (claire@acme.test)" in page
    assert "shy@acme.test" not in page


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
        {
            "with": claire.email,
            "first_day": str(day),
            "last_day": str(day + timedelta(days=1)),
            "duration": 60,
            "interval": 60,
        },
    )
    assert response.status_code == 200
    page = text_of(response)
    thursday = day + timedelta(days=1)
    wednesday_slots = hourly(opens + timedelta(hours=1), closes)
    thursday_slots = hourly(opens + timedelta(days=1), closes + timedelta(days=1))
    count = len(wednesday_slots) + len(thursday_slots)
    assert f"{count} free times with Claire" in page
    # By day, in Ana's zone: e.g. "Wednesday 2 December 2026 10:00–11:00"
    assert f"{day:%A %-d %B %Y} {' '.join(wednesday_slots)} " in page
    assert f"{thursday:%A %-d %B %Y} {' '.join(thursday_slots)} " in page
    links = re.findall(r'href="(/meetings/new\?[^"]+)"', response.content.decode())
    assert len(links) == count
    first = parse_qs(urlsplit(unescape(links[0])).query)
    assert first == {
        "start": [(opens + timedelta(hours=1)).isoformat()],
        "with": [claire.email],
        "duration": ["60"],
    }


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
                "last_day": str(day),
                "duration": 30,
                "interval": 15,
            },
        )
    )
    assert "The calendar system could not read Ghost's calendar (notFound)" in page
    assert "0 free times" in page


def test_a_range_too_long_is_refused_on_the_form(admin):
    consent.grant(admin)
    today = datetime.now(TORONTO).date()
    page = text_of(
        signed_in(admin).get(
            "/availability",
            {
                "first_day": str(today),
                "last_day": str(today + timedelta(days=70)),
                "duration": 30,
                "interval": 15,
            },
        )
    )
    assert "Look at most 62 days at a time." in page


def test_an_unconnected_organisation_is_explained_on_the_page(admin):
    consent.grant(admin)
    day = next_weekday(1)
    page = text_of(
        signed_in(admin).get(
            "/availability",
            {"first_day": str(day), "last_day": str(day), "duration": 30, "interval": 15},
        )
    )
    assert "has not connected its calendar system" in page
    assert "Ask a tenant admin" in page
