"""GET /api/v1/availability keeps to each person's scheduling rules."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import api_as
from tests.meetings.helpers import booking_body
from tests.scheduling.test_availability_api import ask, at, event, next_weekday


def starts(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [slot["start"][11:16] for slot in response.json()["slots"]]


def test_a_buffer_hides_the_adjacent_slots_and_a_full_day_offers_nothing(
    tenant, admin, colleague, sandbox
):
    api_as(admin).put("/me/calendar", {"granted": True, "time_zone": "America/Toronto"})
    cy = colleague("cy@acme.test", "Cy", time_zone="America/Toronto")
    day = next_weekday(2)
    sandbox.seed_event(cy.email, event(at(day, 10), at(day, 11)))
    window = {"start": at(day, 9), "end": at(day, 12), "duration": 30}

    plain = starts(ask(api_as(admin), people=[cy.email], **window))
    assert plain == ["09:00", "09:15", "09:30", "11:00", "11:15", "11:30"]
    api_as(cy).put(
        "/me/calendar", {"granted": True, "buffer_before_minutes": 15, "buffer_after_minutes": 30}
    )
    assert starts(ask(api_as(admin), people=[cy.email], **window)) == ["09:00", "11:15", "11:30"]

    # One meeting booked here fills Cy's day when Cy allows one a day.
    api_as(cy).put("/me/calendar", {"granted": True, "max_meetings_per_day": 1})
    booked = api_as(admin).post("/meetings", booking_body([cy], at(day, 11, 30)))
    assert booked.status_code == 201, booked.json()
    assert starts(ask(api_as(admin), people=[cy.email], **window)) == []
    next_day = {"start": at(day, 9) + timedelta(days=1), "end": at(day, 10) + timedelta(days=1)}
    assert starts(ask(api_as(admin), people=[cy.email], duration=30, **next_day))


def test_minimum_notice_moves_the_first_slot(tenant, admin, colleague):
    api_as(admin).put("/me/calendar", {"granted": True, "time_zone": "America/Toronto"})
    cy = colleague("cy@acme.test", "Cy", time_zone="America/Toronto")
    api_as(cy).put("/me/calendar", {"granted": True, "minimum_notice_minutes": 14 * 24 * 60})
    day = next_weekday(2)
    response = ask(api_as(admin), people=[cy.email], start=at(day, 9), end=at(day, 17))
    assert starts(response) == []
