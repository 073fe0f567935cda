"""GET /api/v1/availability against the Google Workspace sandbox, over HTTP, Google's wire format."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from meetbridge.audit.models import AuditEvent
from meetbridge.scheduling import consent
from meetbridge.tenants.service import add_person
from tests.conftest import api_as

TORONTO = ZoneInfo("America/Toronto")
PARIS = ZoneInfo("Europe/Paris")


def next_weekday(weekday: int, *, at_least: int = 2) -> date:
    """A date `at_least` days from now or later falling on `weekday` (Monday is 0)."""
    day = datetime.now(TORONTO).date() + timedelta(days=at_least)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = TORONTO) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def event(start: datetime, end: datetime, **extra) -> dict:
    return {
        "summary": "Private matter",
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": end.isoformat()},
        **extra,
    }


def ask(api, *, people=(), start, end, duration=30, **more):
    params = {"start": start.isoformat(), "end": end.isoformat(), "duration": duration, **more}
    if people:
        params["with"] = list(people)
    return api.get("/availability", params)


@pytest.fixture
def ana(admin, connected):
    consent.grant(admin, time_zone="America/Toronto")
    return admin


def test_toronto_and_paris_see_exactly_the_free_slots_inside_both_working_days(
    tenant, admin, connected, sandbox
):
    """Tried as a new user would: two people grant access through the API, then ask for a day."""
    claire = add_person(tenant=tenant, email="claire@acme.test", name="Claire")
    sandbox.add_user(tenant.domain, claire.email)
    ana_api, claire_api = api_as(admin), api_as(claire)
    weekdays = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    assert (
        ana_api.put("/me/calendar", {"granted": True, "time_zone": "America/Toronto"}).status_code
        == 200
    )
    granted = claire_api.put(
        "/me/calendar", {"granted": True, "time_zone": "Europe/Paris", "working_hours": weekdays}
    )
    assert granted.status_code == 200

    day = next_weekday(2)  # a Wednesday
    opens = at(day, 9)  # Ana's day starts...
    closes = at(day, 17, zone=PARIS)  # ...while Claire's ends at 17:00 in Paris
    assert closes - opens >= timedelta(hours=1)
    # Ana is busy half an hour after the common time opens; Claire's meeting ends exactly when
    # it opens; a "show as available" event and one outside working hours do not matter.
    sandbox.seed_event(
        admin.email, event(opens + timedelta(minutes=30), opens + timedelta(hours=1))
    )
    sandbox.seed_event(claire.email, event(opens - timedelta(hours=1), opens))
    sandbox.seed_event(
        claire.email, event(opens, opens + timedelta(hours=2), transparency="transparent")
    )
    sandbox.seed_event(claire.email, event(at(day, 18, zone=PARIS), at(day, 19, zone=PARIS)))
    # Thursday Ana is away all day.
    sandbox.seed_event(
        admin.email,
        {
            "summary": "Off",
            "start": {"date": str(day + timedelta(days=1))},
            "end": {"date": str(day + timedelta(days=2))},
        },
    )

    response = ask(
        ana_api,
        people=[claire.email],
        start=at(day, 0),
        end=at(day + timedelta(days=2), 0),
        interval=30,
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["time_zone"] == "America/Toronto"
    assert body["unknown"] == []
    expected = []
    start = opens
    while start + timedelta(minutes=30) <= closes:
        if start != opens + timedelta(minutes=30):
            expected.append(
                {"start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}
            )
        start += timedelta(minutes=30)
    assert body["slots"] == expected
    assert body["slots"][0]["start"] == f"{day}T09:00:00{opens.strftime('%z')[:3]}:00"


def test_the_free_busy_read_is_audited_as_one_call(ana, colleague, tenant):
    ben = colleague("ben.b@acme.test")
    day = next_weekday(1)
    before = AuditEvent.objects.filter(tenant=tenant, kind="credential_use").count()
    response = ask(api_as(ana), people=[ben.email], start=at(day, 0), end=at(day, 23))
    assert response.status_code == 200
    calls = AuditEvent.objects.filter(tenant=tenant, kind="credential_use").order_by("id")[before:]
    assert [(c.operation, c.actor_email, c.subject_email) for c in calls] == [
        ("calendar.freebusy.query", ana.email, ana.email)
    ]


def test_more_than_fifty_people_are_read_in_one_request(ana, colleague, sandbox):
    people = [colleague(f"p{n:02d}@acme.test") for n in range(60)]
    day = next_weekday(3)
    # The 56th person, in the second batch of fifty, is busy all morning.
    sandbox.seed_event(people[55].email, event(at(day, 9), at(day, 12)))
    response = ask(
        api_as(ana),
        people=[p.email for p in people],
        start=at(day, 0),
        end=at(day, 23),
        duration=60,
        interval=60,
    )
    assert response.status_code == 200, response.json()
    starts = [slot["start"][11:16] for slot in response.json()["slots"]]
    assert starts == ["12:00", "13:00", "14:00", "15:00", "16:00"]


def test_a_calendar_google_cannot_read_is_unknown_never_free(ana, tenant):
    ghost = add_person(tenant=tenant, email="ghost@acme.test")  # not in the Workspace
    consent.grant(ghost)
    day = next_weekday(1)
    response = ask(api_as(ana), people=[ghost.email], start=at(day, 0), end=at(day, 23))
    assert response.status_code == 200
    assert response.json()["slots"] == []
    assert response.json()["unknown"] == [{"email": "ghost@acme.test", "reason": "notFound"}]


def test_only_colleagues_who_granted_access_can_be_asked_for(ana, colleague, tenant, other_tenant):
    shy = colleague("shy@acme.test", grant=False)
    add_person(tenant=other_tenant, email="zed@globex.test")
    before = AuditEvent.objects.filter(kind="credential_use").count()
    day = next_weekday(1)
    response = ask(
        api_as(ana),
        people=[shy.email, "zed@globex.test", "Nobody@Acme.test"],
        start=at(day, 0),
        end=at(day, 23),
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "not_schedulable"
    assert error["people"] == [
        {"email": "shy@acme.test", "reason": "no_calendar_access"},
        {"email": "zed@globex.test", "reason": "not_a_member"},
        {"email": "nobody@acme.test", "reason": "not_a_member"},
    ]
    assert "shy@acme.test: has not granted calendar access" in error["message"]
    assert "zed@globex.test, nobody@acme.test: not a member of Acme" in error["message"]
    # Refused before anything was read.
    assert AuditEvent.objects.filter(kind="credential_use").count() == before


def test_a_revoked_colleague_can_no_longer_be_asked_for(ana, colleague):
    ben = colleague("ben.b@acme.test")
    day = next_weekday(1)
    assert (
        ask(api_as(ana), people=[ben.email], start=at(day, 0), end=at(day, 23)).status_code == 200
    )
    api_as(ben).delete("/me/calendar")
    response = ask(api_as(ana), people=[ben.email], start=at(day, 0), end=at(day, 23))
    assert response.status_code == 422
    assert response.json()["error"]["people"] == [
        {"email": "ben.b@acme.test", "reason": "no_calendar_access"}
    ]


def test_the_caller_must_have_granted_access_too(admin, connected):
    day = next_weekday(1)
    response = ask(api_as(admin), start=at(day, 0), end=at(day, 23))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "calendar_access_required"


def test_a_tenant_without_a_connected_calendar_is_told_so(admin):
    consent.grant(admin)
    day = next_weekday(1)
    response = ask(api_as(admin), start=at(day, 0), end=at(day, 23))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "calendar_not_connected"


def test_alone_the_caller_gets_their_own_free_time_after_the_minimum_notice(ana):
    now = datetime.now(TORONTO)
    response = ask(api_as(ana), start=now - timedelta(days=1), end=now + timedelta(days=7))
    assert response.status_code == 200
    assert response.json()["slots"]
    for slot in response.json()["slots"]:
        assert datetime.fromisoformat(slot["start"]) >= now + timedelta(minutes=15)


@pytest.mark.parametrize(
    ("params", "code", "says"),
    [
        ({"start": "2026-06-15T09:00:00"}, "invalid_time", "has no UTC offset"),
        ({"start": "next tuesday"}, "invalid_time", "is not an RFC 3339 time"),
        ({"end": "START"}, "invalid_window", "end must come after start"),
        ({"end": "FAR"}, "window_too_long", "at most 62 days ahead"),
        ({"duration": 0}, "invalid_duration", "from 5 to 480"),
        ({"duration": "half an hour"}, "invalid_request", "duration"),
        ({"interval": 45}, "invalid_interval", "one of 5, 10, 15, 20, 30, 60"),
        ({"with": ["not an address"]}, "invalid_email", "is not an e-mail address"),
    ],
)
def test_bad_requests_say_what_to_fix(ana, params, code, says):
    day = next_weekday(1)
    query = {"start": at(day, 0).isoformat(), "end": at(day, 23).isoformat(), "duration": 30}
    query.update(params)
    if query["end"] == "START":
        query["end"] = query["start"]
    if query["end"] == "FAR":
        query["end"] = (datetime.now(TORONTO) + timedelta(days=63)).isoformat()
    response = api_as(ana).get("/availability", query)
    assert response.status_code == 422, response.json()
    assert response.json()["error"]["code"] == code
    assert says in response.json()["error"]["message"]


def test_an_offset_sent_unencoded_still_reads(ana):
    # A '+' typed into a query string arrives as a space: "…T06:00:00 01:00".
    day = next_weekday(1)
    start = at(day, 0).astimezone(PARIS).isoformat()
    assert "+" in start
    api = api_as(ana)
    response = api.client.get(
        f"/api/v1/availability?start={start}&end={at(day, 23).isoformat()}&duration=30",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert response.status_code == 200, response.json()


def test_the_callers_own_address_and_repeats_are_read_once(ana, colleague, tenant):
    ben = colleague("ben.b@acme.test")
    day = next_weekday(1)
    response = ask(
        api_as(ana),
        people=[ana.email.upper(), ben.email, "Ben.B@Acme.test"],
        start=at(day, 0),
        end=at(day, 23),
    )
    assert response.status_code == 200, response.json()
    newest = AuditEvent.objects.filter(tenant=tenant, operation="calendar.freebusy.query").first()
    assert newest.actor == ana and newest.detail.endswith(" 2 calendars")


def test_at_most_150_colleagues_at_a_time(ana):
    day = next_weekday(1)
    many = [f"p{n}@acme.test" for n in range(151)]
    response = ask(api_as(ana), people=many, start=at(day, 0), end=at(day, 23))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_many_people"
