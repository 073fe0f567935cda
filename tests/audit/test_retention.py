"""Audit retention: old entries are purged in batches by a daily job; recent ones stay."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey.contrib.djhuey import HUEY

from meetbridge.audit.models import AuditEvent
from meetbridge.audit.retention import purge_expired
from meetbridge.audit.service import record
from meetbridge.audit.tasks import purge_expired_audit_entries


def entry(tenant, age: timedelta, operation: str = "calendar.freebusy") -> AuditEvent:
    event = record(tenant=tenant, kind=AuditEvent.Kind.CREDENTIAL_USE, operation=operation)
    AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - age)
    return event


def test_entries_older_than_400_days_go_in_batches_and_recent_ones_stay(tenant):
    old = [entry(tenant, timedelta(days=401 + i)) for i in range(5)]
    kept = [entry(tenant, timedelta(days=399)), entry(tenant, timedelta(minutes=1))]
    assert purge_expired(batch=2) == 5
    remaining = set(AuditEvent.objects.values_list("id", flat=True))
    assert remaining == {e.id for e in kept}
    assert not remaining & {e.id for e in old}
    assert purge_expired(batch=2) == 0


def test_the_retention_period_is_the_operators_to_set(tenant, settings):
    settings.MEETBRIDGE = settings.MEETBRIDGE | {"AUDIT_RETENTION_DAYS": 30}
    gone, kept = entry(tenant, timedelta(days=31)), entry(tenant, timedelta(days=29))
    assert purge_expired() == 1
    assert list(AuditEvent.objects.values_list("id", flat=True)) == [kept.id]
    assert gone.id != kept.id


def test_the_purge_runs_daily_on_the_job_engine(tenant):
    entry(tenant, timedelta(days=500))

    def due_at(hour: int) -> set[str]:
        due = HUEY.read_periodic(timezone.now().replace(hour=hour, minute=17))
        return {task.name.rsplit(".", 1)[-1] for task in due}

    assert "purge_expired_audit_entries" in due_at(3)
    assert "purge_expired_audit_entries" not in due_at(4)
    assert purge_expired_audit_entries.call_local() == 1
