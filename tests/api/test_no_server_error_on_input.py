"""Every input gets a 4xx in the error shape, never a 500: the ends of the calendar, text no
database can store, too many parameters; on the API and on the pages alike."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from meetbridge.meetings.models import Booking
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, next_weekday_at

EDGE_STARTS = [
    "9999-12-31T23:00:00-05:00",
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:30:00+05:00",
    "0001-01-01T00:00:00-12:00",
]


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def assert_refused(response, status=422, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code, error


@pytest.mark.parametrize("start", EDGE_STARTS)
def test_booking_at_the_ends_of_the_calendar_is_refused(team, start):
    ben, cy = team.members[:2]
    body = booking_body([cy], next_weekday_at(10)) | {"start": start, "duration": 0}
    assert_refused(api_as(ben).post("/meetings", body), code="time_out_of_range")
    body["duration"] = 30
    assert_refused(
        api_as(ben).post("/meetings", body, HTTP_IDEMPOTENCY_KEY="edge"), code="time_out_of_range"
    )


@pytest.mark.parametrize("start", EDGE_STARTS)
def test_moving_a_meeting_to_the_ends_of_the_calendar_is_refused(team, start):
    ben, cy = team.members[:2]
    api = api_as(ben)
    meeting = api.post("/meetings", booking_body([cy], next_weekday_at(10))).json()
    assert_refused(api.patch(f"/meetings/{meeting['id']}", {"start": start}))


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "\ud800x"),
        ("description", "x\udfffy"),
        ("attendees", ["b\ud800@acme.test"]),
        ("title", "nul\x00byte"),
    ],
)
def test_text_that_is_not_valid_unicode_is_refused(team, field, value):
    ben, cy = team.members[:2]
    body = booking_body([cy], next_weekday_at(10)) | {field: value}
    response = api_as(ben).post("/meetings", body)
    assert_refused(response, code="invalid_request")
    assert field in response.json()["error"]["message"]
    assert Booking.objects.count() == 0


def test_unstorable_text_in_consent_is_refused(member_api):
    raw = '{"granted": true, "time_zone": "Europe/Par\\ud800is"}'
    assert_refused(member_api.put("/me/calendar", raw), code="invalid_request")
    assert member_api.get("/me").json()["calendar_access"] is False


def test_a_nul_in_a_query_parameter_is_refused(team):
    response = api_as(team.members[0]).get(
        "/availability?with=c%00y@acme.test&start=2030-01-01T00:00:00Z"
        "&end=2030-01-02T00:00:00Z&duration=30"
    )
    assert_refused(response)


def test_more_than_a_thousand_query_parameters_is_a_bad_request(team):
    query = "&".join(["with=cy@acme.test"] * 1001)
    response = api_as(team.members[0]).get(f"/availability?{query}")
    assert_refused(response, status=400, code="bad_request")


def test_availability_at_the_ends_of_the_calendar_is_refused(team):
    query = urlencode(
        {"start": "0001-01-01T00:00:00+14:00", "end": "9999-12-31T23:59:59-12:00", "duration": 30}
    )
    assert_refused(api_as(team.members[0]).get(f"/availability?{query}"))


@pytest.mark.parametrize(
    "query",
    [
        {"start": "9999-12-31T23:59:00+00:00", "duration": "720"},
        {"start": "0001-01-01T00:00:00+14:00", "duration": "30"},
        {"start": "2030-01-01T10:00:00+00:00", "duration": "99999999999999999999999"},
        {"start": "2030-01-01T10:00:00+00:00", "duration": "-5"},
    ],
)
def test_the_booking_page_explains_a_link_at_the_ends_of_the_calendar(team, query):
    ben, cy = team.members[:2]
    link = "/meetings/new?" + urlencode({**query, "with": cy.email})
    response = signed_in(ben).get(link)
    assert response.status_code == 422
    assert "problem" in response.context and response.context["problem"]


def test_rescheduling_on_the_page_to_the_year_9999_is_explained(team):
    ben, cy = team.members[:2]
    meeting = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(10))).json()
    client = signed_in(ben)
    page = f"/meetings/{meeting['id']}/reschedule"
    moved = client.post(page, {"start": "9999-12-31T23:59", "duration": 30})
    # The page is shown again, with what was typed and why it cannot be.
    assert moved.status_code == 422
    assert "Not rescheduled" in moved.content.decode()
    assert 'value="9999-12-31T23:59"' in moved.content.decode()
    for query in EDGE_STARTS:
        shown = client.get(page, {"start": query, "duration": "99999999999999999999"})
        assert shown.status_code == 200  # the link is ignored: the meeting's own time shows


@pytest.mark.parametrize(
    "days",
    [
        ("9999-12-30", "between 1900 and 2999"),
        ("0001-01-01", "between 1900 and 2999"),
        ("3000-01-01", "between 1900 and 2999"),
        ("2999-12-31", "days ahead"),
    ],
)
def test_the_find_a_time_page_explains_days_at_the_ends_of_the_calendar(team, days):
    ben, cy = team.members[:2]
    query = urlencode({"with": cy.email, "first_day": days[0], "duration": 30, "interval": 15})
    response = signed_in(ben).get(f"/availability?{query}")
    assert response.status_code == 200
    assert days[1] in response.content.decode()


def test_too_many_fields_on_a_page_is_a_bad_request(team):
    query = "&".join(["with=cy@acme.test"] * 1001)
    response = signed_in(team.members[0]).get(f"/availability?first_day=x&{query}")
    assert response.status_code == 400


def test_the_audit_page_ignores_a_cursor_that_is_not_an_ascii_number(admin):
    client = signed_in(admin)
    for before in ("²", "١٢", "9" * 40):
        assert client.get("/audit", {"before": before}).status_code == 200


@pytest.mark.parametrize("body", ["null", "[]", "true", '"x"', "0"])
def test_a_body_that_is_not_a_json_object_is_refused_not_read_as_defaults(team, body):
    ben, cy = team.members[:2]
    api = api_as(ben)
    meeting = api.post("/meetings", booking_body([cy], next_weekday_at(10))).json()
    assert_refused(api.patch(f"/meetings/{meeting['id']}", body), code="invalid_request")
    assert_refused(api.post("/meetings", body), code="invalid_request")
    assert Booking.objects.count() == 1


def test_no_route_reads_a_body_that_is_not_a_json_object(team):
    """Every route that takes a body refuses `null` (ninja's Schema would read it as "every
    field left out"): all bodies derive from api.schemas.JsonObjectIn."""
    from meetbridge.api.app import api as ninja_api

    admin = api_as(team.admin)
    document = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    with_body = [
        (method, path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 6
    for method, path in with_body:
        concrete = re.sub(r"\{[^}]+\}", "nobody@acme.test", path.removeprefix("/api/v1"))
        response = getattr(admin, method)(concrete, "null")
        assert response.status_code == 422, (method, path, response.content)
