"""Provider trouble at a check (unreachable, 5xx, a limit) never takes a verified integration
down: it shows as degraded with the last success, and booking keeps working. Only a setup
failure (delegation removed, key deleted, account disabled) disables it."""

from __future__ import annotations

import pytest

from meetbridge.audit.models import AuditEvent
from meetbridge.integrations import verification
from meetbridge.integrations.backoff import BACKOFF
from meetbridge.integrations.models import Credential
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, next_weekday_at


def check_again() -> Credential:
    credential = Credential.objects.get(in_service=True)
    verification.check_credential(credential.id, credential.check_round)
    credential.refresh_from_db()
    return credential


@pytest.mark.parametrize(
    "faults",
    [
        {"error_rate": 1.0, "error_status": 503},
        {"error_rate": 1.0, "error_status": 500},
        {"error_rate": 1.0, "error_status": 429},
    ],
    ids=["503", "500", "429"],
)
def test_provider_trouble_at_a_check_leaves_the_integration_enabled_and_degraded(
    team, admin_api, faults
):
    verified_at = Credential.objects.get(in_service=True).verified_at
    team.sandbox.revoke_access_tokens()  # the check must reach Google, not a cached token
    team.sandbox.set_faults(**faults)
    credential = check_again()
    assert credential.status == Credential.Status.VERIFIED
    assert credential.next_check_at is not None  # checked again on the backoff

    body = admin_api.get("/integration").json()
    assert body["status"] == "verified"
    assert body["degraded"] is True
    assert body["problem"] is not None
    assert body["last_success_at"] is not None
    assert credential.verified_at == verified_at
    assert AuditEvent.objects.filter(operation="integration.degraded").count() == 1

    team.sandbox.clear_faults()
    BACKOFF.clear()
    ben, cy = team.members[:2]
    booked = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(10)))
    assert booked.status_code == 201, booked.json()

    check_again()
    body = admin_api.get("/integration").json()
    assert (body["status"], body["degraded"], body["problem"]) == ("verified", False, None)


def test_a_removed_delegation_still_disables_the_integration(team, admin_api):
    team.sandbox.revoke_delegation(team.setup.domain, team.setup.client_id)
    team.sandbox.revoke_access_tokens()
    check_again()
    body = admin_api.get("/integration").json()
    assert body["status"] == "failed"
    assert body["degraded"] is False
    ben, cy = team.members[:2]
    refused = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(10)))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "calendar_not_connected"


def test_the_integrations_page_says_degraded_with_the_last_success(team, client, admin):
    team.sandbox.revoke_access_tokens()
    team.sandbox.set_faults(error_rate=1.0, error_status=503)
    check_again()
    client.force_login(admin)
    page = client.get("/settings/integrations").content.decode()
    assert "Degraded" in page
    assert "Last success" in page
    assert "stays enabled" in page
