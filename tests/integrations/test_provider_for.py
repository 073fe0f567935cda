"""`provider_for(tenant, person)`: what availability and booking call to reach the calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.audit.models import AuditEvent
from meetbridge.integrations.access import provider_for
from meetbridge.integrations.api import provider_error
from meetbridge.integrations.connection import save_key
from meetbridge.integrations.provider import NotConnected, ProviderError

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.mark.django_db
def test_a_tenant_without_integration_is_not_connected(tenant, member):
    with pytest.raises(NotConnected) as info:
        provider_for(tenant, member)
    assert info.value.code == "calendar_not_connected"
    assert "Integrations page" in info.value.fix


@pytest.mark.django_db
def test_a_key_not_yet_verified_is_not_used(tenant, admin, member, workspace, google_settings):
    save_key(tenant=tenant, actor=admin, provider="google", raw_key=workspace.key)
    with pytest.raises(NotConnected):
        provider_for(tenant, member)


@pytest.mark.django_db
def test_a_verified_tenant_gets_a_working_provider(tenant, member, connected):
    google = provider_for(tenant, member)
    assert google.name == "google"
    result = google.free_busy(
        as_email=member.email, emails=[member.email], start=NOW, end=NOW + timedelta(hours=1)
    )
    assert result.busy == {member.email: []}


@pytest.mark.django_db
def test_every_call_is_audited_with_who_acted_for_whom_and_how_it_went(tenant, member, connected):
    provider_for(tenant, member).free_busy(
        as_email=member.email, emails=[member.email], start=NOW, end=NOW + timedelta(hours=1)
    )
    uses = AuditEvent.objects.filter(kind="credential_use", actor=member).order_by("id")
    assert [(e.operation, e.subject_email, e.outcome) for e in uses] == [
        ("oauth2.token", member.email, "ok"),
        ("calendar.freebusy.query", member.email, "ok"),
    ]
    assert all(e.tenant == tenant and e.latency_ms is not None for e in uses)
    assert "1 calendars" in uses.last().detail


@pytest.mark.django_db
def test_failed_calls_are_audited_with_their_diagnosis(sandbox, tenant, member, connected):
    sandbox.set_calendar_api(connected.project_id, False)
    with pytest.raises(ProviderError):
        provider_for(tenant, member).free_busy(
            as_email=member.email, emails=[member.email], start=NOW, end=NOW + timedelta(hours=1)
        )
    last = AuditEvent.objects.filter(kind="credential_use").first()
    assert (last.operation, last.outcome) == ("calendar.freebusy.query", "api_disabled")


@pytest.mark.django_db
def test_another_tenant_never_gets_this_tenants_provider(other_tenant, connected):
    with pytest.raises(NotConnected):
        provider_for(other_tenant, None)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotConnected(), 409),
        (ProviderError("not_found", "gone"), 404),
        (ProviderError("conflict", "taken"), 409),
        (ProviderError("invalid_request", "bad"), 422),
        (ProviderError("unreachable", "down", retryable=True), 503),
        (ProviderError("rate_limited", "slow", retryable=True), 429),
        (ProviderError("quota_exceeded", "enough for today", retryable=True), 429),
        (ProviderError("delegation_missing", "no", fix="Step 2"), 502),
    ],
)
def test_provider_errors_map_to_api_errors(error, status):
    api_error = provider_error(error)
    assert api_error.status == status
    assert api_error.code == error.code


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    from meetbridge.integrations import access

    moved = Clock()
    monkeypatch.setattr(access, "_clock", moved)
    access.forget_credentials_in_service()
    yield moved
    access.forget_credentials_in_service()


@pytest.mark.django_db
def test_a_key_deleted_here_is_not_used_a_moment_later(tenant, admin, member, connected, clock):
    from meetbridge.integrations.connection import disconnect

    provider_for(tenant, member)
    disconnect(tenant=tenant, actor=admin)
    with pytest.raises(NotConnected):
        provider_for(tenant, member)


@pytest.mark.django_db
def test_a_key_taken_out_by_another_process_stops_being_used_within_seconds(
    tenant, member, connected, clock
):
    from meetbridge.integrations import access
    from meetbridge.integrations.models import Credential

    provider_for(tenant, member)
    # Another server process changes the row: no signal reaches this one.
    Credential.objects.filter(integration__tenant=tenant).update(in_service=False)
    clock.now += access.REUSE_CREDENTIAL_SECONDS - 0.5
    assert provider_for(tenant, member).name == "google"
    clock.now += 0.5
    with pytest.raises(NotConnected):
        provider_for(tenant, member)


@pytest.mark.django_db
def test_not_connected_is_never_kept(tenant, admin, member, workspace, google_settings, clock):
    from meetbridge.integrations.models import Credential

    with pytest.raises(NotConnected):
        provider_for(tenant, member)
    save_key(tenant=tenant, actor=admin, provider="google", raw_key=workspace.key)
    # Verified by another process: a queryset update sends no signal here.
    Credential.objects.filter(integration__tenant=tenant).update(
        status=Credential.Status.VERIFIED, in_service=True
    )
    assert provider_for(tenant, member).name == "google"
