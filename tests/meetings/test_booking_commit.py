"""After the insert, a booking's confirmation, the key's answer and the request's audit entries
are written in one commit (booking.confirm): one disk flush between the calendar's answer and
ours. The audit log still decides the answer: entries the database refuses leave the booking
confirmed (the calendar has it) and answer 500, as before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from meetbridge.audit.models import AuditEvent
from meetbridge.meetings import states
from meetbridge.meetings.models import Booking, IdempotencyRecord
from meetbridge.tenants.models import ApiToken
from tests.audit.test_audit_off_the_hot_path import audit_writes_fail  # noqa: F401 - a fixture
from tests.conftest import ApiClient, api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at

CALLS = ("calendar.freebusy.query", "calendar.events.insert")


def _transaction_of(table: str, where: str, *params) -> set[str]:
    """PostgreSQL's id of the transaction that last wrote the rows (`xmin`)."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT xmin::text FROM "{table}" WHERE {where}', params)
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_the_keys_answer_and_the_audit_entries_commit_together(team):
    ben, cy = team.members[:2]
    booked = api_as(ben).post(
        "/meetings", booking_body([cy], next_weekday_at(10)), HTTP_IDEMPOTENCY_KEY="one-commit"
    )
    assert booked.status_code == 201, booked.json()

    booking = Booking.objects.get()
    assert booking.state == states.CONFIRMED
    record = IdempotencyRecord.objects.get(person=ben, key="one-commit")
    assert (record.status_code, record.response) == (201, booked.json())
    entries = AuditEvent.objects.filter(actor=ben, operation__in=CALLS)
    assert sorted(entries.values_list("operation", flat=True)) == sorted(CALLS)
    if connection.vendor == "postgresql":
        written_by = (
            _transaction_of(Booking._meta.db_table, "id = %s", booking.pk)
            | _transaction_of(IdempotencyRecord._meta.db_table, "id = %s", record.pk)
            | _transaction_of(AuditEvent._meta.db_table, "id = ANY(%s)", [e.pk for e in entries])
        )
        assert len(written_by) == 1


@pytest.mark.django_db(transaction=True)
def test_audit_entries_the_database_refuses_leave_the_booking_confirmed_and_answer_500(
    team,
    audit_writes_fail,  # noqa: F811 - the fixture imported above
):
    ben, cy = team.members[:2]
    api = ApiClient(Client(raise_request_exception=False), ApiToken.issue(ben)[1])

    answer = api.post("/meetings", booking_body([cy], next_weekday_at(11)))

    assert answer.status_code == 500  # no success goes out without its audit entries
    assert Booking.objects.get().state == states.CONFIRMED  # the calendar has the event
    assert len(meetbridge_events(team.sandbox, ben.email)) == 1
    assert not AuditEvent.objects.filter(actor=ben, operation__in=CALLS).exists()
