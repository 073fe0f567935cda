"""What the calendar keeps refusing: retried with backoff, bounded for settling, unbounded for
withdrawals; shown to the organizer and the tenant admin, and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from meetbridge.audit.models import AuditEvent
from meetbridge.integrations import connection
from meetbridge.meetings import retry, states
from meetbridge.meetings.booking import confirm
from meetbridge.meetings.calendar import calendar_for
from meetbridge.meetings.errors import MeetingError
from meetbridge.meetings.models import Booking
from meetbridge.meetings.repair import sweep
from meetbridge.meetings.reservations import advance
from meetbridge.meetings.unfinished import withdraw
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at
from tests.meetings.test_repair import interrupted_booking

REFUSE_DELETES = {
    "error_rate": 1.0,
    "error_status": 400,  # a refusal, not a limit to back off from
    "paths": ["/calendar/v3/calendars/*/events/*"],
    "methods": ["DELETE"],
}


def test_the_wait_doubles_from_a_minute_to_at_most_an_hour():
    waits = [retry.delay_after(tries) for tries in range(1, 10)]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(waits) == timedelta(hours=1)
    assert not retry.gives_up(retry.DEFAULT_MAX_TRIES - 1)
    assert retry.gives_up(retry.DEFAULT_MAX_TRIES)


def page_of(person, path: str) -> str:
    client = Client()
    client.force_login(person)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def sweep_until_it_stops(booking: Booking, start) -> tuple[int, object]:
    """Runs the sweep each time the booking is due again; answers the tries and the clock."""
    now, tries = start, 0
    while True:
        booking.refresh_from_db()
        if booking.gave_up_at is not None or booking.state not in states.UNSETTLED:
            return tries, now
        # Not due before its time: a sweep a second early leaves it alone.
        if booking.next_try_at is not None:
            assert sweep(now=booking.next_try_at - timedelta(seconds=1)) == {}
            now = booking.next_try_at
        sweep(now=now)
        tries += 1
        assert tries <= 20


def test_a_cancel_the_calendar_keeps_refusing_backs_off_stops_and_is_shown(team):
    ben, cy = team.members[:2]
    meeting = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9))).json()
    booking = Booking.objects.get()
    advance(booking, states.CANCELLING)  # a cancel whose process died before the delete
    team.sandbox.set_faults(**REFUSE_DELETES)

    tries, stopped_at = sweep_until_it_stops(booking, timezone.now() + timedelta(minutes=5))
    assert tries == retry.DEFAULT_MAX_TRIES
    booking.refresh_from_db()
    assert booking.state == states.CANCELLING and booking.gave_up_at is not None
    # It stays stopped: a day later the sweep does not touch it.
    assert sweep(now=stopped_at + timedelta(days=1)) == {}

    shown = {m["id"]: m for m in api_as(ben).get("/meetings").json()}[meeting["id"]]
    assert shown["status"] == "cancelling"
    assert shown["problem"]["code"] == "cancel_not_finished"
    assert "stopped trying" in page_of(ben, "/meetings")
    assert meeting["title"] in page_of(team.admin, "/").split("could not finish")[1]
    [gave_up] = AuditEvent.objects.filter(operation="meeting.sweep_gave_up")
    assert gave_up.kind == AuditEvent.Kind.MEETING_REPAIR
    assert gave_up.subject_email == ben.email and meeting["id"] in gave_up.detail
    assert "meeting.sweep_gave_up" in page_of(team.admin, "/audit")

    # The organizer cancels again once the calendar lets them: done, and no longer shown.
    team.sandbox.clear_faults()
    assert api_as(ben).delete(f"/meetings/{meeting['id']}").status_code == 204
    assert api_as(ben).get("/meetings").json()[0]["problem"] is None
    assert "could not finish" not in page_of(team.admin, "/")


def test_an_event_of_a_failed_booking_is_withdrawn_again_until_it_is_gone(team):
    ben, cy = team.members[:2]
    booking, _ = interrupted_booking(team, ben, cy, next_weekday_at(9), on_calendar=True)
    still_inserting = Booking.objects.get(pk=booking.pk)
    # The sweep gave the booking up while the request was still inserting...
    advance(booking, states.FAILED, problem_code="booking_not_made")
    provider = calendar_for(team.tenant, ben)
    view = provider.get_event(as_email=ben.email, event_id=booking.event_id)
    team.sandbox.set_faults(**REFUSE_DELETES)
    # ...and the request, confirming, finds it failed: the event must go, but cannot yet.
    with pytest.raises(MeetingError) as answered:
        confirm(still_inserting, view, provider)
    assert answered.value.code == "booking_pending"
    booking.refresh_from_db()
    assert booking.withdrawal_pending
    assert AuditEvent.objects.filter(operation="meeting.withdrawal_failed").count() == 1

    shown = {m["id"]: m for m in api_as(ben).get("/meetings").json()}[booking.event_id]
    assert (shown["status"], shown["problem"]["code"]) == ("failed", "withdrawal_pending")
    assert booking.event_id not in {m["id"] for m in api_as(cy).get("/meetings").json()}
    assert "Not booked" in page_of(ben, "/meetings")
    assert "keeps trying" in page_of(team.admin, "/")

    # Tried again with backoff, and never given up, however long the calendar refuses.
    now = timezone.now()
    for _ in range(retry.DEFAULT_MAX_TRIES + 2):
        booking.refresh_from_db()
        assert sweep(now=booking.next_try_at - timedelta(seconds=1)) == {}
        now = booking.next_try_at
        sweep(now=now)
    booking.refresh_from_db()
    assert booking.withdrawal_pending and booking.gave_up_at is None
    assert meetbridge_events(team.sandbox, ben.email) != []

    team.sandbox.clear_faults()
    sweep(now=booking.next_try_at)
    booking.refresh_from_db()
    assert not booking.withdrawal_pending
    assert meetbridge_events(team.sandbox, ben.email) == []
    assert AuditEvent.objects.filter(operation="meeting.withdrawn").count() == 1
    assert booking.event_id not in {m["id"] for m in api_as(ben).get("/meetings").json()}


def test_a_withdrawal_is_never_given_up_even_without_a_calendar_to_ask(team):
    ben, cy = team.members[:2]
    booking, _ = interrupted_booking(team, ben, cy, next_weekday_at(9), on_calendar=True)
    advance(booking, states.FAILED, problem_code="booking_not_made")
    Booking.objects.filter(pk=booking.pk).update(
        withdrawal_pending=True, lease_until=None, next_try_at=timezone.now()
    )
    connection.disconnect(tenant=team.tenant, actor=team.admin)  # calendar_for now refuses
    for _ in range(retry.DEFAULT_MAX_TRIES + 2):
        booking.refresh_from_db()
        sweep(now=booking.next_try_at)
    booking.refresh_from_db()
    assert booking.withdrawal_pending and booking.gave_up_at is None
    assert booking.next_try_at is not None  # still coming back, an hour apart at most


def test_admins_list_unfinished_meetings_through_the_api_and_members_may_not(team):
    ben, cy = team.members[:2]
    cancelled = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9))).json()
    stuck = Booking.objects.get(event_id=cancelled["id"])
    advance(stuck, states.CANCELLING)  # a cancel whose process died before the delete
    team.sandbox.set_faults(**REFUSE_DELETES)
    tries, _ = sweep_until_it_stops(stuck, timezone.now() + timedelta(minutes=5))
    failed, _ = interrupted_booking(team, ben, cy, next_weekday_at(11), on_calendar=True)
    advance(failed, states.FAILED, problem_code="booking_not_made")
    # The calendar refuses the withdrawal: it is tried again until gone.
    assert not withdraw(failed, calendar_for(team.tenant, ben))

    listed = api_as(team.admin).get("/unfinished-meetings")
    assert listed.status_code == 200
    by_id = {m["id"]: m for m in listed.json()}
    assert list(by_id) == [cancelled["id"], failed.event_id]  # oldest first
    first = by_id[cancelled["id"]]
    assert (first["status"], first["problem"]["code"], first["tries"]) == (
        "cancelling",
        "cancel_not_finished",
        tries,
    )
    assert first["organizer"] == ben.email and first["gave_up_at"] is not None
    second = by_id[failed.event_id]
    assert (second["status"], second["problem"]["code"]) == ("failed", "withdrawal_pending")
    assert second["gave_up_at"] is None and second["next_try_at"] is not None
    assert "description" not in second and "lease_until" not in second

    for member in (ben, cy):
        refused = api_as(member).get("/unfinished-meetings")
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
    assert Client().get("/api/v1/unfinished-meetings").status_code == 401

    team.sandbox.clear_faults()
    assert api_as(ben).delete(f"/meetings/{cancelled['id']}").status_code == 204
    sweep(now=Booking.objects.get(pk=failed.pk).next_try_at)
    assert api_as(team.admin).get("/unfinished-meetings").json() == []
