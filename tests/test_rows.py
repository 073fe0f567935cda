"""The reads written in SQL (meetbridge/rows.py) give what the ORM gives for the same rows."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetbridge import rows
from meetbridge.audit import service as audit
from meetbridge.audit.models import AuditEvent
from meetbridge.scheduling import consent
from meetbridge.scheduling.availability import AvailabilityRefused, people_to_ask
from meetbridge.scheduling.models import CalendarAccess
from meetbridge.tenants.models import ApiToken, Person
from meetbridge.tenants.service import add_person


def same_fields(found, expected) -> None:
    assert type(found) is type(expected)
    for field in type(expected)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name


def test_a_token_reads_its_person_and_tenant_as_the_orm_does(admin):
    token, raw = ApiToken.issue(admin, expires_at=timezone.now() + timedelta(days=3))
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

    person = ApiToken.find_person(raw)
    expected = ApiToken.objects.select_related("person__tenant").get(pk=token.pk)

    same_fields(person, expected.person)
    same_fields(person.tenant, expected.person.tenant)
    assert person.tenant.created_at.tzinfo is not None  # a datetime, converted on SQLite too


def test_refused_tokens(admin, member):
    _, expired = ApiToken.issue(member, expires_at=timezone.now() - timedelta(seconds=1))
    _, inactive = ApiToken.issue(admin)
    Person.objects.filter(pk=admin.pk).update(is_active=False)

    assert ApiToken.find_person(expired) is None
    assert ApiToken.find_person(inactive) is None
    assert ApiToken.find_person("mb_not-a-token") is None
    assert ApiToken.find_person("' OR 1=1 --") is None


def test_a_person_without_a_tenant_reads_none_for_it(db):
    staff = Person.objects.create(email="ops@meetbridge.test", is_staff=True)
    _, raw = ApiToken.issue(staff)

    person = ApiToken.find_person(raw)

    assert person.pk == staff.pk and person.tenant is None


def test_people_and_consent_read_as_the_orm_does(admin, member, tenant):
    consent.grant(admin, time_zone="Europe/Paris", working_hours={"mon": [["08:00", "12:00"]]})
    consent.grant(member)

    found = {p.email: p for p in people_to_ask(admin, [member.email, "BEN@acme.test"])}

    assert list(found) == [admin.email, member.email]
    for email, person in found.items():
        expected = Person.objects.select_related("calendar_access").get(email=email)
        same_fields(person, expected)
        same_fields(person.calendar_access, expected.calendar_access)
        assert person.tenant is admin.tenant
    assert found[admin.email].calendar_access.working_hours == {"mon": [["08:00", "12:00"]]}


def test_someone_without_a_consent_row_is_refused_as_without_access(admin, tenant):
    consent.grant(admin)
    stranger = add_person(tenant=tenant, email="cy@acme.test")
    assert not CalendarAccess.objects.filter(person=stranger).exists()

    try:
        people_to_ask(admin, [stranger.email, "nobody@acme.test"])
    except AvailabilityRefused as refused:
        assert refused.extra["people"] == [
            {"email": "cy@acme.test", "reason": "no_calendar_access"},
            {"email": "nobody@acme.test", "reason": "not_a_member"},
        ]
    else:
        raise AssertionError("someone without consent was asked for")


def test_other_tenants_and_inactive_members_are_not_found(admin, tenant, other_tenant):
    consent.grant(admin)
    outsider = add_person(tenant=other_tenant, email="dee@globex.test")
    consent.grant(outsider)
    gone = add_person(tenant=tenant, email="eve@acme.test")
    consent.grant(gone)
    Person.objects.filter(pk=gone.pk).update(is_active=False)

    try:
        people_to_ask(admin, [outsider.email, gone.email])
    except AvailabilityRefused as refused:
        assert {p["reason"] for p in refused.extra["people"]} == {"not_a_member"}
    else:
        raise AssertionError("an outsider or an inactive member was asked for")


def test_only_the_caller(admin):
    consent.grant(admin)
    assert [p.email for p in people_to_ask(admin, [])] == [admin.email]


def test_insert_writes_every_entry_in_one_statement(admin, tenant):
    entries = [
        audit.event(
            tenant=tenant,
            kind=AuditEvent.Kind.CREDENTIAL_USE,
            operation=f"freebusy.query.{n}",
            actor=admin if n else None,
            subject_email=admin.email,
            outcome="ok",
            latency_ms=n or None,
            detail="ünïcode ' quotes \" and % signs",
        )
        for n in range(3)
    ]

    with CaptureQueriesContext(connection) as captured:
        rows.insert(entries)

    assert len(captured.captured_queries) == 1
    stored = list(AuditEvent.objects.filter(tenant=tenant, operation__startswith="freebusy.query."))
    stored.sort(key=lambda e: e.operation)
    for entry, row in zip(entries, stored, strict=True):
        for field in ("at", "kind", "actor_id", "actor_email", "subject_email", "outcome"):
            assert getattr(row, field) == getattr(entry, field), field
        assert (row.latency_ms, row.detail) == (entry.latency_ms, entry.detail)


def test_fields_an_answer_does_not_read_are_deferred_and_still_readable(admin, member):
    consent.grant(admin)
    consent.grant(member)

    person = next(p for p in people_to_ask(admin, [member.email]) if p.email == member.email)

    assert "password" in person.get_deferred_fields()
    assert person.date_joined == Person.objects.get(pk=member.pk).date_joined  # read on use
    assert person.calendar_access.changed_at is not None
