"""A request's credential-use entries are written in one statement, before it is answered:
no answered request lacks its entries, even when the write fails or the server dies."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from meetbridge.audit.models import AuditEvent
from meetbridge.integrations.access import credential_in_service
from meetbridge.integrations.tokens import TOKENS
from meetbridge.scheduling import consent
from meetbridge.tenants.models import ApiToken
from tests.conftest import ApiClient
from tests.scheduling.test_availability_api import at, next_weekday

TABLE = AuditEvent._meta.db_table


def ask_availability(api):
    day = next_weekday(2)
    return api.get(
        "/availability",
        {"start": at(day, 0).isoformat(), "end": at(day, 23).isoformat(), "duration": 30},
    )


@pytest.fixture
def ana(admin, connected):
    consent.grant(admin)
    client = Client(raise_request_exception=False)  # a failure is answered as the server would
    return ApiClient(client, ApiToken.issue(admin)[1])


def audit_inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith(f'INSERT INTO "{TABLE}"')]


def test_a_requests_entries_are_written_once_at_its_end(ana, admin, tenant):
    TOKENS.forget_credential(credential_in_service(tenant).cache_key)  # exchange one, too
    before = AuditEvent.objects.filter(actor=admin).count()
    with CaptureQueriesContext(connection) as queries:
        assert ask_availability(ana).status_code == 200
    entries = AuditEvent.objects.filter(actor=admin).count() - before
    assert entries == 2  # the token exchange and the freeBusy call
    assert len(audit_inserts(queries.captured_queries)) == 1


@pytest.fixture
def audit_writes_fail(db):
    """The database refuses audit rows, as a full disk or a crash mid-write would."""
    if connection.vendor == "sqlite":
        create = (
            f'CREATE TRIGGER refuse_audit BEFORE INSERT ON "{TABLE}" '
            "BEGIN SELECT RAISE(ABORT, 'audit refused'); END"
        )
        drop = "DROP TRIGGER refuse_audit"
    else:
        create = (
            "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'audit refused'; END $$ LANGUAGE plpgsql; "
            f'CREATE TRIGGER refuse_audit BEFORE INSERT ON "{TABLE}" '
            "FOR EACH ROW EXECUTE FUNCTION refuse_audit()"
        )
        drop = f'DROP TRIGGER refuse_audit ON "{TABLE}"; DROP FUNCTION refuse_audit()'
    with connection.cursor() as cursor:
        cursor.execute(create)
    yield
    with connection.cursor() as cursor:
        cursor.execute(drop)


@pytest.mark.django_db(transaction=True)
def test_a_request_whose_entries_cannot_be_written_is_not_answered_as_done(
    ana, sandbox, audit_writes_fail
):
    calls = sandbox.calls("calendar.freebusy.query")
    answer = ask_availability(ana)
    assert sandbox.calls("calendar.freebusy.query") == calls + 1  # Google was asked
    assert answer.status_code >= 500  # but no slots went out without their audit entry
    assert "slots" not in answer.json()
