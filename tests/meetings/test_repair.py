"""A crash between Google and the database is repaired: on retry, and by the sweep.

Each test leaves a booking exactly where a process that died at that point would have left
it (the row's state committed, the calendar call made or not, the lease run out), then lets
the retry or the sweep finish the work.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from meetbridge.meetings import states
from meetbridge.meetings.calendar import calendar_for, draft_for
from meetbridge.meetings.idempotency import fingerprint
from meetbridge.meetings.models import Booking
from meetbridge.meetings.repair import sweep
from meetbridge.meetings.reservations import advance, reserve_new
from meetbridge.meetings.rules import request_payload
from meetbridge.meetings.tasks import sweep_unsettled_bookings
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at

LATER = timedelta(minutes=10)  # past the sweep's grace period and any lease


def interrupted_booking(team, organizer, attendee, start, *, on_calendar, key=None):
    """A booking whose process died while inserting, with its event made or not."""
    body = booking_body([attendee], start)
    booking = Booking(
        tenant=team.tenant,
        organizer=organizer,
        title=body["title"],
        start=start,
        end=start + timedelta(minutes=30),
    )
    digest = fingerprint("book", request_payload(**body | {"start": start}))
    reserve_new(booking, [organizer, attendee], now=timezone.now(), key=key, fingerprint=digest)
    if on_calendar:
        provider = calendar_for(team.tenant, organizer)
        provider.create_event(draft=draft_for(booking, (attendee.email,)))
    Booking.objects.filter(pk=booking.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    booking.refresh_from_db()
    return booking, body


def test_an_event_made_just_before_the_crash_is_confirmed_by_the_sweep(team):
    ben, cy = team.members[:2]
    booking, _ = interrupted_booking(team, ben, cy, next_weekday_at(9), on_calendar=True)
    assert sweep(now=timezone.now() + LATER) == {"confirmed": 1}
    booking.refresh_from_db()
    assert booking.state == "confirmed"
    assert booking.html_link
    assert api_as(cy).get(f"/meetings/{booking.event_id}").status_code == 200


def test_an_insert_that_never_left_is_given_up_by_the_sweep(team):
    ben, cy, dee = team.members[:3]
    start = next_weekday_at(9)
    booking, _ = interrupted_booking(team, ben, cy, start, on_calendar=False)
    Booking.objects.filter(pk=booking.pk).update(lease_until=timezone.now() + timedelta(minutes=1))
    # While its lease lasts, our own in-flight booking holds Cy's time, though Google shows
    # nothing.
    held = api_as(dee).post("/meetings", booking_body([cy], start + timedelta(minutes=15)))
    assert held.status_code == 409
    assert sweep(now=timezone.now() + LATER) == {"failed": 1}
    booking.refresh_from_db()
    assert (booking.state, booking.problem_code) == ("failed", "booking_not_made")
    assert meetbridge_events(team.sandbox, ben.email) == []
    assert api_as(dee).post("/meetings", booking_body([cy], start)).status_code == 201


def test_a_retry_with_the_key_confirms_the_event_the_crashed_request_made(team):
    ben, cy = team.members[:2]
    booking, body = interrupted_booking(
        team, ben, cy, next_weekday_at(9), on_calendar=True, key="k1"
    )
    response = api_as(ben).post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201, response.json()
    assert response.json()["id"] == booking.event_id
    assert len(meetbridge_events(team.sandbox, ben.email)) == 1
    assert Booking.objects.get().state == "confirmed"


def test_a_retry_with_the_key_makes_the_event_the_crashed_request_never_sent(team):
    ben, cy = team.members[:2]
    booking, body = interrupted_booking(
        team, ben, cy, next_weekday_at(9), on_calendar=False, key="k2"
    )
    response = api_as(ben).post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k2")
    assert response.status_code == 201, response.json()
    assert response.json()["id"] == booking.event_id
    [event] = meetbridge_events(team.sandbox, ben.email)
    assert event["id"] == booking.event_id


def test_a_request_still_working_is_not_disturbed(team):
    ben, cy = team.members[:2]
    booking, body = interrupted_booking(
        team, ben, cy, next_weekday_at(9), on_calendar=False, key="k3"
    )
    Booking.objects.filter(pk=booking.pk).update(lease_until=timezone.now() + timedelta(minutes=1))
    again = api_as(ben).post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k3")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "request_in_progress"
    # Nor does the sweep touch it, nor a booking younger than the grace period.
    assert sweep() == {}
    assert Booking.objects.get(pk=booking.pk).state == "inserting"


def test_an_interrupted_cancel_is_finished_by_the_sweep(team):
    ben, cy = team.members[:2]
    meeting = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9))).json()
    booking = Booking.objects.get()
    advance(booking, states.CANCELLING)
    assert sweep(now=timezone.now() + LATER) == {"cancelled": 1}
    assert meetbridge_events(team.sandbox, cy.email) == []
    assert api_as(ben).get(f"/meetings/{meeting['id']}").json()["status"] == "cancelled"


@pytest.mark.parametrize("calendar_moved", [True, False])
def test_an_interrupted_move_ends_at_the_time_the_calendar_shows(team, calendar_moved):
    ben, cy = team.members[:2]
    old, new = next_weekday_at(9), next_weekday_at(11)
    api_as(ben).post("/meetings", booking_body([cy], old))
    booking = Booking.objects.get()
    advance(
        booking, states.RESCHEDULING, pending_start=new, pending_end=new + timedelta(minutes=30)
    )
    if calendar_moved:
        calendar_for(team.tenant, ben).move_event(
            as_email=ben.email,
            event_id=booking.event_id,
            start=new,
            end=new + timedelta(minutes=30),
            time_zone=booking.time_zone,
        )
    assert sweep(now=timezone.now() + LATER) == {"confirmed": 1}
    booking.refresh_from_db()
    assert booking.start == (new if calendar_moved else old)
    assert booking.pending_start is None


def test_the_sweep_runs_every_minute_on_the_job_engine(team):
    for minute in (0, 1, 37):
        due = HUEY.read_periodic(timezone.now().replace(minute=minute))
        assert "sweep_unsettled_bookings" in {task.name.rsplit(".", 1)[-1] for task in due}
    assert sweep_unsettled_bookings.call_local() == {}
