"""Exactly once under Google's faults: errors, lost answers, rate limits and usage limits."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from django.utils import timezone

from meetbridge.audit.models import AuditEvent
from meetbridge.meetings import states
from meetbridge.meetings.models import Booking
from meetbridge.meetings.repair import sweep
from meetbridge.scheduling import consent
from meetbridge.scheduling.rules import DAYS
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at

BOOKINGS = 200
CLIENT_ATTEMPTS = 6


def book_like_a_careful_client(api, body: dict, key: str):
    """Retries what the API says may work later, always with the same Idempotency-Key."""
    for _ in range(CLIENT_ATTEMPTS):
        response = api.post("/meetings", body, HTTP_IDEMPOTENCY_KEY=key)
        retry_later = response.status_code == 503 or (
            response.status_code == 409
            and response.json()["error"]["code"] == "request_in_progress"
        )
        if not retry_later:
            break
    return response


ROUND_THE_CLOCK = {day: [["00:00", "24:00"]] for day in DAYS}


def test_200_bookings_through_503s_and_lost_answers_leave_exactly_the_confirmed_events(make_team):
    team = make_team(members=4)
    for person in team.members:  # 200 half-hours in a row: round-the-clock working hours
        consent.grant(person, working_hours=ROUND_THE_CLOCK)
    apis = [api_as(person) for person in team.members]
    first = next_weekday_at(6)
    # Every Google call: 20% answered 503; 10% of the rest made, then answered 503 (lost).
    team.sandbox.set_faults(error_rate=0.2, error_status=503, lose_response_rate=0.1)

    answers = {}
    for i in range(BOOKINGS):
        organizer, attendee = i % 4, (i + 1) % 4
        body = booking_body([team.members[attendee]], first + timedelta(minutes=30 * i))
        answers[i] = book_like_a_careful_client(apis[organizer], body, key=f"booking-{i}")
    team.sandbox.clear_faults()
    sweep(now=timezone.now() + timedelta(minutes=10))

    statuses = Counter(answer.status_code for answer in answers.values())
    assert statuses == {201: BOOKINGS}, statuses
    confirmed_by_api = {answer.json()["id"] for answer in answers.values()}
    assert len(confirmed_by_api) == BOOKINGS

    assert not Booking.objects.filter(state__in=states.UNSETTLED).exists()
    confirmed_here = set(
        Booking.objects.filter(state=states.CONFIRMED).values_list("event_id", flat=True)
    )
    assert confirmed_here == confirmed_by_api

    # On Google: each organizer's calendar holds exactly the meetings it organises, once each,
    # and nothing for a booking that failed.
    on_google = []
    for person in team.members:
        organised = [
            event
            for event in meetbridge_events(team.sandbox, person.email)
            if event["organizer"]["email"] == person.email
        ]
        on_google += [event["id"] for event in organised]
        markers = [
            event["extendedProperties"]["private"]["meetbridge_booking"] for event in organised
        ]
        assert len(markers) == len(set(markers))
    assert Counter(on_google) == Counter(confirmed_by_api)
    failed = set(Booking.objects.filter(state=states.FAILED).values_list("event_id", flat=True))
    assert not failed & set(on_google)
    # The faults did bite: retried inserts met the events their lost attempts had made.
    inserts = AuditEvent.objects.filter(operation="calendar.events.insert")
    assert inserts.filter(outcome="conflict").exists()


def test_per_user_rate_limits_are_retried_with_backoff(team):
    ben, cy = team.members[:2]
    team.sandbox.set_faults(
        error_rate=1.0, error_status=403, paths=["/calendar/v3/freeBusy"], times=2
    )
    response = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9)))
    assert response.status_code == 201, response.json()
    assert team.sandbox.state()["faults"]["times"] == 0  # both rate-limit answers were served
    [check] = AuditEvent.objects.filter(operation="calendar.freebusy.query", actor=ben)
    assert check.outcome == "ok"
    assert int(re.search(r"(\d+) attempts", check.detail).group(1)) >= 3


def test_the_daily_usage_limit_is_not_retried_and_books_nothing(team):
    ben, cy, dee = team.members[:3]
    team.sandbox.set_limits(user_changes_per_day=1)
    assert api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9))).status_code == 201

    response = api_as(ben).post("/meetings", booking_body([dee], next_weekday_at(11)))
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "calendar_quota_exceeded"
    assert "usage limit" in error["message"]
    inserts = AuditEvent.objects.filter(operation="calendar.events.insert").order_by("at", "id")
    assert [(e.outcome, "attempts" in e.detail) for e in inserts] == [
        ("ok", False),
        ("quota_exceeded", False),
    ]
    assert len(meetbridge_events(team.sandbox, ben.email)) == 1
    assert Booking.objects.filter(state=states.FAILED).count() == 1
