"""GET /api/v1/schedule: the free/busy grid's data, free/busy only."""

from __future__ import annotations

from datetime import timedelta

from meetbridge.tenants.service import add_person
from tests.conftest import api_as
from tests.scheduling.test_availability_api import at, event, next_weekday


def test_each_person_s_working_and_busy_time_and_the_common_slots(
    tenant, admin, colleague, sandbox
):
    api = api_as(admin)
    api.put("/me/calendar", {"granted": True, "time_zone": "America/Toronto"})
    claire = colleague("claire@acme.test", "Claire", time_zone="Europe/Paris")
    day = next_weekday(2)
    sandbox.seed_event(claire.email, event(at(day, 9), at(day, 10), summary="Secret plans"))
    response = api.get(
        "/schedule",
        {
            "with": claire.email,
            "start": at(day, 0).isoformat(),
            "end": at(day + timedelta(days=1), 0).isoformat(),
            "duration": 60,
            "interval": 60,
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["time_zone"] == "America/Toronto"
    ana, theirs = body["people"]
    assert (ana["email"], theirs["email"], theirs["time_zone"]) == (
        admin.email,
        claire.email,
        "Europe/Paris",
    )
    assert ana["working"] == [{"start": at(day, 9).isoformat(), "end": at(day, 17).isoformat()}]
    paris_day = {"start": at(day, 3).isoformat(), "end": at(day, 11).isoformat()}  # 09-17 Paris
    assert theirs["working"] == [paris_day]
    assert theirs["busy"] == [{"start": at(day, 9).isoformat(), "end": at(day, 10).isoformat()}]
    assert "Secret" not in response.content.decode()
    assert body["free"] == [{"start": at(day, 10).isoformat(), "end": at(day, 11).isoformat()}]
    assert body["unknown"] == []


def test_only_people_who_granted_access_can_be_shown(tenant, admin, colleague):
    api = api_as(admin)
    api.put("/me/calendar", {"granted": True})
    shy = add_person(tenant=tenant, email="shy@acme.test", name="Shy")
    day = next_weekday(2)
    response = api.get(
        "/schedule",
        {"with": shy.email, "start": at(day, 0).isoformat(), "end": at(day, 23).isoformat()},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_schedulable"
    bad = api.get("/schedule", {"start": "tomorrow", "end": at(day, 23).isoformat()})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_time"
