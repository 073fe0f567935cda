"""A process killed half-way through a booking, a cancel or a move: the listing tells the truth
at once, and the next request (or the sweep, within the lease plus one sweep interval) settles
the change.

Each test leaves the rows exactly as a process killed at that point leaves them: the state it
committed, its lease still running (`lease_until` in the future) or run out (in the past, as
if that much time had passed), and the calendar call made or not. Clocks are driven: the sweep
gets its `now`, nobody sleeps.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meetbridge.meetings import states
from meetbridge.meetings.calendar import calendar_for
from meetbridge.meetings.models import Booking
from meetbridge.meetings.repair import due_for_sweep, sweep
from meetbridge.meetings.reservations import advance, hold_for_late_answer, lease_length
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at
from tests.meetings.test_repair import interrupted_booking

SWEEP_INTERVAL = timedelta(minutes=1)  # the sweep's crontab: every minute


def killed_just_now(booking: Booking) -> None:
    """The process holding the row died a moment ago: its lease still runs."""
    Booking.objects.filter(pk=booking.pk).update(lease_until=timezone.now() + lease_length())


def lease_runs_out(booking: Booking) -> None:
    """As if the lease's time had passed since the kill."""
    Booking.objects.filter(pk=booking.pk).update(lease_until=timezone.now() - timedelta(seconds=1))


def swept_when_lease_plus_interval_passed(booking: Booking) -> dict:
    """The sweep just before the lease runs out leaves the row; one interval after, settles it."""
    booking.refresh_from_db()
    assert sweep(now=booking.lease_until - timedelta(seconds=1)) == {}
    return sweep(now=booking.lease_until + SWEEP_INTERVAL)


def listed(person) -> dict[str, dict]:
    response = api_as(person).get("/meetings")
    assert response.status_code == 200
    return {meeting["id"]: meeting for meeting in response.json()}


def crashed_cancel(team, *, delete_landed: bool) -> Booking:
    ben, cy = team.members[:2]
    api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9)))
    booking = Booking.objects.get()
    advance(booking, states.CANCELLING, lease_until=timezone.now() + lease_length())
    if delete_landed:
        calendar_for(team.tenant, ben).cancel_event(as_email=ben.email, event_id=booking.event_id)
    return booking


def crashed_move(team, *, patch_landed: bool) -> tuple[Booking, object]:
    ben, cy = team.members[:2]
    api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9)))
    booking = Booking.objects.get()
    new = next_weekday_at(11)
    advance(
        booking,
        states.RESCHEDULING,
        pending_start=new,
        pending_end=new + timedelta(minutes=30),
        lease_until=timezone.now() + lease_length(),
    )
    if patch_landed:
        calendar_for(team.tenant, ben).move_event(
            as_email=ben.email,
            event_id=booking.event_id,
            start=new,
            end=new + timedelta(minutes=30),
            time_zone=booking.time_zone,
        )
    return booking, new


# Killed between the reservation and the insert ------------------------------------------


def test_a_booking_killed_before_its_insert_frees_the_slot_for_the_next_request(team):
    ben, cy, dee = team.members[:3]
    start = next_weekday_at(9)
    booking, _ = interrupted_booking(team, ben, cy, start, on_calendar=False)
    killed_just_now(booking)
    assert api_as(dee).post("/meetings", booking_body([cy], start)).status_code == 409

    lease_runs_out(booking)
    # The next request for the time settles the abandoned row (never made: failed) and books.
    response = api_as(dee).post("/meetings", booking_body([cy], start))
    assert response.status_code == 201, response.json()
    assert Booking.objects.get(pk=booking.pk).state == states.FAILED
    [event] = meetbridge_events(team.sandbox, cy.email)
    assert event["id"] == response.json()["id"]


def test_a_booking_killed_before_its_insert_is_failed_by_the_sweep_within_lease_and_interval(team):
    ben, cy = team.members[:2]
    booking, _ = interrupted_booking(team, ben, cy, next_weekday_at(9), on_calendar=False)
    killed_just_now(booking)
    assert swept_when_lease_plus_interval_passed(booking) == {"failed": 1}
    assert meetbridge_events(team.sandbox, ben.email) == []


# Killed between the insert and the confirmation -----------------------------------------


def test_a_booking_killed_after_its_insert_is_confirmed_by_the_organizers_next_listing(team):
    ben, cy = team.members[:2]
    booking, _ = interrupted_booking(team, ben, cy, next_weekday_at(9), on_calendar=True)
    killed_just_now(booking)
    assert booking.event_id not in listed(ben)  # not booked as far as we know yet

    lease_runs_out(booking)
    assert listed(ben)[booking.event_id]["status"] == "confirmed"
    assert listed(cy)[booking.event_id]["status"] == "confirmed"
    assert Booking.objects.get(pk=booking.pk).state == states.CONFIRMED


def test_a_booking_killed_after_its_insert_is_confirmed_by_the_sweep_within_lease_and_interval(
    team,
):
    ben, cy = team.members[:2]
    booking, _ = interrupted_booking(team, ben, cy, next_weekday_at(9), on_calendar=True)
    killed_just_now(booking)
    assert swept_when_lease_plus_interval_passed(booking) == {"confirmed": 1}


# Killed during a cancel -----------------------------------------------------------------


@pytest.mark.parametrize("delete_landed", [True, False])
def test_a_cancel_killed_half_way_shows_as_cancelling_then_the_next_listing_finishes_it(
    team, delete_landed
):
    ben, cy = team.members[:2]
    booking = crashed_cancel(team, delete_landed=delete_landed)
    for person in (ben, cy):
        assert listed(person)[booking.event_id]["status"] == "cancelling"
    page = _signed_in(ben).get("/meetings")
    assert "Cancelling…" in page.content.decode()

    lease_runs_out(booking)
    assert listed(cy)[booking.event_id]["status"] == "cancelled"
    assert meetbridge_events(team.sandbox, cy.email) == []
    assert Booking.objects.get(pk=booking.pk).state == states.CANCELLED


def test_a_cancel_killed_half_way_is_finished_by_the_sweep_within_lease_and_interval(team):
    booking = crashed_cancel(team, delete_landed=False)
    assert swept_when_lease_plus_interval_passed(booking) == {"cancelled": 1}
    assert meetbridge_events(team.sandbox, team.members[1].email) == []


# Killed during a move -------------------------------------------------------------------


@pytest.mark.parametrize("patch_landed", [True, False])
def test_a_move_killed_half_way_shows_where_it_moves_then_the_next_patch_settles_and_moves(
    team, patch_landed
):
    ben, cy = team.members[:2]
    booking, new = crashed_move(team, patch_landed=patch_landed)
    for person in (ben, cy):
        shown = listed(person)[booking.event_id]
        assert shown["status"] == "rescheduling"
        assert datetime.fromisoformat(shown["moving_to"]["start"]) == new
    assert api_as(ben).get(f"/meetings/{booking.event_id}").json()["status"] == "rescheduling"
    assert "Moving to" in _signed_in(cy).get("/meetings").content.decode()

    later = next_weekday_at(13)
    refused = api_as(ben).patch(f"/meetings/{booking.event_id}", {"start": later.isoformat()})
    assert refused.status_code == 409  # the killed request's lease still runs
    assert refused.json()["error"]["code"] == "request_in_progress"

    lease_runs_out(booking)
    moved = api_as(ben).patch(f"/meetings/{booking.event_id}", {"start": later.isoformat()})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["status"] == "confirmed"
    assert datetime.fromisoformat(moved.json()["start"]) == later
    [event] = meetbridge_events(team.sandbox, cy.email)
    assert event["start"]["dateTime"].startswith(later.strftime("%Y-%m-%dT"))
    assert listed(cy)[booking.event_id]["moving_to"] is None


@pytest.mark.parametrize("patch_landed", [True, False])
def test_a_move_killed_half_way_is_settled_by_the_sweep_within_lease_and_interval(
    team, patch_landed
):
    booking, new = crashed_move(team, patch_landed=patch_landed)
    old = booking.start
    assert swept_when_lease_plus_interval_passed(booking) == {"confirmed": 1}
    booking.refresh_from_db()
    assert booking.start == (new if patch_landed else old)


# A call that timed out may still land: the sweep waits the grace period --------------------


def test_a_row_let_go_after_a_timeout_is_left_alone_for_the_grace_period(team, settings):
    settings.MEETBRIDGE = settings.MEETBRIDGE | {"BOOKING_SWEEP_GRACE_SECONDS": 45}
    ben, cy = team.members[:2]
    booking, _ = interrupted_booking(team, ben, cy, next_weekday_at(9), on_calendar=False)
    now = timezone.now()
    Booking.objects.filter(pk=booking.pk).update(lease_until=now + lease_length())
    booking.refresh_from_db()
    hold_for_late_answer(booking, now=now)
    assert not due_for_sweep(now + timedelta(seconds=44)).exists()
    assert due_for_sweep(now + timedelta(seconds=46)).exists()


def _signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client
