"""The free/busy re-check travels while the time is reserved (booking.py): a refusal that
arrives after the reservation leaves nothing reserved and answers as one that came first."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from meetbridge.audit.models import AuditEvent
from meetbridge.audit.service import kept
from meetbridge.meetings import booking as booking_module
from meetbridge.meetings import errors
from meetbridge.meetings.alongside import Alongside
from meetbridge.meetings.models import Booking, IdempotencyRecord, Participant
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at

WAIT_SECONDS = 30  # a bound on a hand-over between threads, never a race with the clock


@pytest.fixture
def recheck_after_reservation(monkeypatch):
    """Holds the re-check's answer until the reservation is written, then gives
    `verdict(real_check, *args, **kwargs)` (by default, the real re-check's)."""
    reserved = threading.Event()
    seen = {}
    real_reserve, real_check = booking_module.reserve_new, booking_module.check_still_free

    def reserve_new(booking, people, **kwargs):
        try:
            real_reserve(booking, people, **kwargs)
            seen["booking"] = Booking.objects.filter(pk=booking.pk).exists()
        finally:
            reserved.set()

    def check_still_free(*args, **kwargs):
        assert reserved.wait(WAIT_SECONDS)
        return control["verdict"](real_check, *args, **kwargs)

    control = {"verdict": lambda check, *a, **k: check(*a, **k), "seen": seen}
    monkeypatch.setattr(booking_module, "reserve_new", reserve_new)
    monkeypatch.setattr(booking_module, "check_still_free", check_still_free)
    return control


def _seed_busy(team, person, start):
    team.sandbox.seed_event(
        person.email,
        {
            "summary": "Dentist",
            "start": {"dateTime": (start - timedelta(minutes=15)).isoformat()},
            "end": {"dateTime": (start + timedelta(minutes=15)).isoformat()},
        },
    )


def test_a_busy_calendar_after_the_reservation_leaves_nothing_and_the_key_replays_it(
    team, recheck_after_reservation
):
    ben, cy = team.members[:2]
    start = next_weekday_at(10)
    _seed_busy(team, cy, start)
    api = api_as(ben)
    body = booking_body([cy], start)

    first = api.post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k")

    assert recheck_after_reservation["seen"]["booking"]  # the row was written before the verdict
    assert first.status_code == 409
    assert first.json()["error"]["code"] == "slot_taken"
    assert cy.email in first.json()["error"]["message"]
    assert not Booking.objects.exists() and not Participant.objects.exists()
    assert meetbridge_events(team.sandbox, ben.email) == []
    [record] = IdempotencyRecord.objects.filter(person=ben, key="k")
    assert (record.booking_id, record.status_code) == (None, 409)
    [check] = AuditEvent.objects.filter(operation="calendar.freebusy.query", actor=ben)
    assert check.outcome == "ok"

    again = api.post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k")

    assert again.status_code == 409
    assert again.json() == first.json()
    assert AuditEvent.objects.filter(operation="calendar.freebusy.query", actor=ben).count() == 1
    # The time it held is free again: another time for the same people books at once.
    other = api.post("/meetings", booking_body([cy], start + timedelta(hours=1)))
    assert other.status_code == 201, other.json()


def test_a_calendar_that_cannot_tell_after_the_reservation_gives_the_key_back(
    team, recheck_after_reservation
):
    ben, cy = team.members[:2]
    api = api_as(ben)
    body = booking_body([cy], next_weekday_at(11))

    def unreadable(check, *args, **kwargs):
        raise errors.calendar_unreadable(cy.email)

    recheck_after_reservation["verdict"] = unreadable
    refused = api.post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k")

    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "calendar_unreadable"
    assert not Booking.objects.exists()
    assert not IdempotencyRecord.objects.filter(key="k").exists()  # free to try again

    recheck_after_reservation["verdict"] = lambda check, *a, **k: check(*a, **k)
    booked = api.post("/meetings", body, HTTP_IDEMPOTENCY_KEY="k")
    assert booked.status_code == 201, booked.json()
    assert len(meetbridge_events(team.sandbox, ben.email)) == 1


def test_a_re_check_that_breaks_after_the_reservation_leaves_nothing_reserved(
    team, recheck_after_reservation
):
    ben, cy = team.members[:2]

    def broken(check, *args, **kwargs):
        raise RuntimeError("a bug, not a refusal")

    recheck_after_reservation["verdict"] = broken
    broke = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(11)))
    assert broke.status_code == 500
    assert not Booking.objects.exists()
    assert meetbridge_events(team.sandbox, ben.email) == []


def test_our_own_clash_waits_for_the_calendar_whose_refusal_comes_first(team):
    ben, cy, dee = team.members[:3]
    start = next_weekday_at(10)
    assert api_as(dee).post("/meetings", booking_body([cy], start)).status_code == 201
    _seed_busy(team, ben, start)  # the organizer is busy on the calendar too

    refused = api_as(ben).post("/meetings", booking_body([cy], start))

    assert refused.status_code == 409
    assert refused.json()["error"]["email"] == ben.email  # the calendar's verdict, as before
    assert Booking.objects.count() == 1


def test_a_rule_refusal_still_writes_the_re_check_it_made(team):
    from meetbridge.scheduling import consent

    ben, cy = team.members[:2]
    consent.grant(cy, working_hours={"mon": [["09:00", "10:00"]]})
    refused = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(15)))
    assert refused.status_code == 422, refused.json()
    assert not Booking.objects.exists()
    [check] = AuditEvent.objects.filter(operation="calendar.freebusy.query", actor=ben)
    assert check.outcome == "ok"


def test_alongside_gives_the_answer_or_the_error_and_hands_its_entries_over():
    from meetbridge.audit import service as audit

    def call():
        audit.credential_use("entry")  # what an audit observer does, on the other thread
        return 42

    mine: list = []
    with kept(mine):
        assert Alongside(call).result() == 42
    assert mine == ["entry"]

    def failing():
        raise ValueError("no")

    with pytest.raises(ValueError):
        Alongside(failing).result()
