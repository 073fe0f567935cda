"""`audit.committed_with_collected`: a request's entries so far commit with the caller's writes,
and are never lost nor written twice when that transaction fails."""

from __future__ import annotations

import pytest

from meetbridge.audit import service as audit
from meetbridge.audit.models import AuditEvent
from meetbridge.tenants.models import Tenant


def _entry(tenant, operation: str) -> AuditEvent:
    return audit.event(tenant=tenant, kind="credential_use", operation=operation)


@pytest.mark.django_db(transaction=True)
def test_entries_commit_with_the_work_and_are_not_written_again_at_the_end(tenant):
    with audit.collected():
        audit.credential_use(_entry(tenant, "first"))
        done = audit.committed_with_collected(
            lambda: Tenant.objects.filter(pk=tenant.pk).update(name="Renamed")
        )
        audit.credential_use(_entry(tenant, "after"))
    assert done == 1
    assert sorted(AuditEvent.objects.values_list("operation", flat=True)) == ["after", "first"]


@pytest.mark.django_db(transaction=True)
def test_work_that_fails_leaves_the_entries_for_the_end_of_the_request(tenant):
    def failing():
        Tenant.objects.filter(pk=tenant.pk).update(name="Renamed")
        raise RuntimeError("no")

    with audit.collected():
        audit.credential_use(_entry(tenant, "first"))
        with pytest.raises(RuntimeError):
            audit.committed_with_collected(failing)
        assert not AuditEvent.objects.exists()  # rolled back with the work
    assert list(AuditEvent.objects.values_list("operation", flat=True)) == ["first"]
    assert Tenant.objects.get(pk=tenant.pk).name != "Renamed"


@pytest.mark.django_db(transaction=True)
def test_outside_a_request_it_is_a_plain_transaction(tenant):
    assert audit.committed_with_collected(lambda: 7) == 7
    assert not AuditEvent.objects.exists()
