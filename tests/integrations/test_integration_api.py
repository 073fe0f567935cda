"""/api/v1/integration: saving a key, background verification, diagnosis, re-checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.audit.models import AuditEvent
from meetbridge.integrations.models import Credential, Integration
from meetbridge.integrations.schedule import recheck_plan
from tests.integrations.google.keyfiles import key_file, key_text

SCOPE = "https://www.googleapis.com/auth/calendar"
transactional = pytest.mark.django_db(transaction=True)


def put_key(api, key, provider="google"):
    return api.put("/integration", {"provider": provider, "service_account_key": key})


def later(**delta) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


def nothing_stored():
    return not Integration.objects.exists() and not Credential.objects.exists()


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_members_are_refused_every_integration_route(member_api):
    responses = [
        member_api.get("/integration"),
        put_key(member_api, key_file()),
        member_api.post("/integration/verify"),
        member_api.delete("/integration"),
    ]
    assert [r.status_code for r in responses] == [403] * 4
    assert all(r.json()["error"]["code"] == "forbidden" for r in responses)
    assert nothing_stored()


@pytest.mark.django_db
def test_without_credentials_the_answer_is_401(client):
    assert client.get("/api/v1/integration").status_code == 401


@pytest.mark.django_db
def test_a_tenant_without_integration_is_not_configured(admin_api):
    assert admin_api.get("/integration").json() == {
        "provider": None,
        "status": "not_configured",
        "service_account": None,
        "app": None,
        "scopes": [],
        "checked_at": None,
        "problem": None,
        "degraded": False,
        "last_success_at": None,
    }


# --- bad input: 422, nothing stored -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "code"),
    [
        ('{"type": "service_account", "project_id": ', "key_not_json"),
        ("not json at all", "key_not_json"),
        (key_file(type="authorized_user"), "key_wrong_type"),
        (key_file(private_key=None), "key_missing_fields"),
        (key_file(client_id="abc"), "key_invalid"),
        (key_file(padding="x" * 20_000), "key_too_large"),
        (key_text(padding="x" * 20_000), "key_too_large"),
    ],
    ids=[
        "truncated-json",
        "not-json",
        "authorized-user-file",
        "no-private-key",
        "non-numeric-client-id",
        "oversized-object",
        "oversized-text",
    ],
)
def test_a_bad_key_is_refused_with_what_is_wrong_and_nothing_is_stored(admin_api, key, code):
    response = put_key(admin_api, key)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert nothing_stored()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_an_unknown_provider_is_refused(admin_api):
    response = put_key(admin_api, key_file(), provider="zimbra")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unsupported_provider"
    assert nothing_stored()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body", [{"provider": "google"}, {"provider": "google", "service_account_key": 7}, []]
)
def test_a_malformed_body_is_refused(admin_api, body):
    response = admin_api.put("/integration", body)
    assert response.status_code == 422
    assert nothing_stored()


@pytest.mark.django_db
def test_a_huge_body_is_refused_in_the_error_shape(admin_api):
    huge = json.dumps({"provider": "google", "service_account_key": "x" * 400_000})
    response = admin_api.put("/integration", huge)
    assert response.status_code in (400, 413)
    assert "error" in response.json()
    assert nothing_stored()


@pytest.mark.django_db
def test_checking_without_a_key_is_a_conflict(admin_api):
    response = admin_api.post("/integration/verify")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_configured"


# --- the happy path ---------------------------------------------------------------------------


@transactional
def test_saving_a_key_answers_pending_and_the_background_check_verifies_it(
    admin_api, workspace, google_settings, jobs
):
    response = put_key(admin_api, workspace.key)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert body["provider"] == "google"
    assert body["service_account"] == {
        "client_email": workspace.client_email,
        "client_id": workspace.client_id,
        "project_id": workspace.project_id,
        "private_key_id": workspace.key["private_key_id"],
    }
    assert body["scopes"] == [SCOPE]
    assert jobs.queued() == ["check_integration"]

    assert jobs.run_due() == ["check_integration"]

    body = admin_api.get("/integration").json()
    assert body["status"] == "verified"
    assert body["problem"] is None
    assert datetime.fromisoformat(body["checked_at"]) > later(minutes=-1)
    assert jobs.scheduled() == []


@transactional
def test_the_key_may_be_sent_as_the_file_text(admin_api, workspace, google_settings, jobs):
    assert put_key(admin_api, json.dumps(workspace.key, indent=2)).status_code == 202
    jobs.run_due()
    assert admin_api.get("/integration").json()["status"] == "verified"


# --- each setup mistake, diagnosed ------------------------------------------------------------


def no_delegation(sandbox, setup):
    sandbox.revoke_delegation(setup.domain, setup.client_id)


def delegation_without_calendar_scope(sandbox, setup):
    sandbox.grant_delegation(
        setup.domain, setup.client_id, ["https://www.googleapis.com/auth/calendar.readonly"]
    )


def calendar_api_disabled(sandbox, setup):
    sandbox.set_calendar_api(setup.project_id, False)


def key_deleted(sandbox, setup):
    sandbox.delete_key(setup.client_email, setup.key["private_key_id"])


def admin_unknown_to_the_workspace(sandbox, setup):
    sandbox.remove_user(setup.domain, setup.users[0])


def service_account_disabled(sandbox, setup):
    sandbox.disable_service_account(setup.client_email)


def service_account_deleted(sandbox, setup):
    sandbox.delete_service_account(setup.client_email)


@transactional
@pytest.mark.parametrize(
    ("mistake", "code", "step", "heals"),
    [
        (no_delegation, "delegation_missing", "Step 2", True),
        (delegation_without_calendar_scope, "delegation_missing", "Step 2", True),
        (calendar_api_disabled, "api_disabled", "Pro Tip", True),
        (key_deleted, "key_invalid", "Step 1", False),
        (admin_unknown_to_the_workspace, "user_unknown", "Step 2", False),
        (service_account_disabled, "service_account_disabled", "Step 1", False),
        (service_account_deleted, "service_account_deleted", "Step 1", False),
    ],
)
def test_each_setup_mistake_is_diagnosed_with_the_step_that_fixes_it(
    admin_api, sandbox, workspace, google_settings, jobs, mistake, code, step, heals
):
    mistake(sandbox, workspace)
    put_key(admin_api, workspace.key)
    jobs.run_due()

    body = admin_api.get("/integration").json()
    assert body["status"] == "failed"
    assert body["problem"]["code"] == code
    assert step in body["problem"]["fix"]
    assert body["problem"]["message"]
    assert body["checked_at"] is not None
    assert (jobs.scheduled() == ["check_integration"]) is heals


@transactional
def test_the_delegation_diagnosis_names_the_client_id_and_exact_scope(
    admin_api, sandbox, workspace, google_settings, jobs
):
    no_delegation(sandbox, workspace)
    put_key(admin_api, workspace.key)
    jobs.run_due()
    fix = admin_api.get("/integration").json()["problem"]["fix"]
    assert workspace.client_id in fix
    assert SCOPE in fix


@transactional
def test_google_unreachable_is_diagnosed_and_rechecked(
    admin_api, workspace, google_settings, settings, jobs
):
    settings.MEETBRIDGE = {**google_settings, "GOOGLE_TOKEN_URI": "http://127.0.0.1:9/token"}
    put_key(admin_api, workspace.key)
    jobs.run_due()
    problem = admin_api.get("/integration").json()["problem"]
    assert problem["code"] == "unreachable"
    assert jobs.scheduled() == ["check_integration"]


# --- healing by itself ------------------------------------------------------------------------


@transactional
def test_delegation_granted_after_a_failed_check_turns_verified_with_no_admin_action(
    admin_api, sandbox, workspace, google_settings, jobs
):
    no_delegation(sandbox, workspace)
    put_key(admin_api, workspace.key)
    jobs.run_due()
    assert admin_api.get("/integration").json()["problem"]["code"] == "delegation_missing"

    sandbox.grant_delegation(workspace.domain, workspace.client_id, [SCOPE])
    assert jobs.run_due(now=later(seconds=30)) == []  # the first re-check is a minute out
    assert jobs.run_due(now=later(minutes=2)) == ["check_integration"]

    body = admin_api.get("/integration").json()
    assert body["status"] == "verified" and body["problem"] is None
    assert jobs.scheduled() == []


@transactional
def test_delegation_that_google_applies_late_is_picked_up_by_a_later_recheck(
    admin_api, sandbox, workspace, google_settings, jobs
):
    sandbox.grant_delegation(
        workspace.domain, workspace.client_id, [SCOPE], propagation_seconds=600
    )
    put_key(admin_api, workspace.key)
    jobs.run_due()
    assert admin_api.get("/integration").json()["status"] == "failed"

    sandbox.advance_clock(600)  # Google (the sandbox) applies the grant now
    jobs.run_due(now=later(minutes=2))
    assert admin_api.get("/integration").json()["status"] == "verified"


@transactional
def test_enabling_the_calendar_api_heals_too(admin_api, sandbox, workspace, google_settings, jobs):
    calendar_api_disabled(sandbox, workspace)
    put_key(admin_api, workspace.key)
    jobs.run_due()
    sandbox.set_calendar_api(workspace.project_id, True)
    jobs.run_due(now=later(minutes=2))
    assert admin_api.get("/integration").json()["status"] == "verified"


@transactional
def test_rechecks_follow_the_backoff_and_stop_after_a_day(
    admin_api, sandbox, workspace, google_settings, jobs
):
    no_delegation(sandbox, workspace)
    put_key(admin_api, workspace.key)
    jobs.run_due()
    ran = jobs.run_due(now=later(hours=25))
    assert len(ran) == len(recheck_plan())
    assert jobs.scheduled() == []
    credential = Credential.objects.get()
    assert credential.failed_checks == 1 + len(recheck_plan())
    assert credential.next_check_at is None
    assert admin_api.get("/integration").json()["status"] == "failed"


@transactional
def test_check_again_starts_a_new_round_and_the_old_schedule_stands_down(
    admin_api, sandbox, workspace, google_settings, jobs
):
    no_delegation(sandbox, workspace)
    put_key(admin_api, workspace.key)
    jobs.run_due()
    sandbox.grant_delegation(workspace.domain, workspace.client_id, [SCOPE])

    response = admin_api.post("/integration/verify")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    jobs.run_due()
    assert admin_api.get("/integration").json()["status"] == "verified"

    checks_before = AuditEvent.objects.filter(operation="oauth2.token").count()
    jobs.run_due(now=later(minutes=2))  # the first round's re-check: a no-op now
    assert AuditEvent.objects.filter(operation="oauth2.token").count() == checks_before


# --- verified integrations are re-checked daily -----------------------------------------------


@transactional
def test_a_verified_integration_goes_failed_when_google_starts_refusing(
    admin_api, sandbox, tenant, member, connected, jobs
):
    from meetbridge.integrations.access import provider_for
    from meetbridge.integrations.provider import NotConnected
    from meetbridge.integrations.tasks import recheck_verified_integrations

    assert recheck_verified_integrations.call_local() == 0  # checked just now: not due
    no_delegation(sandbox, connected)
    assert recheck_verified_integrations.call_local(now=later(hours=25)) == 1
    jobs.run_due()

    body = admin_api.get("/integration").json()
    assert body["status"] == "failed"
    assert body["problem"]["code"] == "delegation_missing"
    with pytest.raises(NotConnected):
        provider_for(tenant, member)
    assert jobs.scheduled() == ["check_integration"]  # and it heals when delegation is back


# --- replacing and deleting -------------------------------------------------------------------


@transactional
def test_a_replacement_key_serves_only_once_verified_and_the_old_one_meanwhile(
    admin_api, sandbox, tenant, member, connected, jobs
):
    from meetbridge.integrations.access import provider_for

    account = sandbox.create_service_account(connected.project_id, "second-account")
    new_key = sandbox.create_key(account["client_email"])
    put_key(admin_api, new_key)
    jobs.run_due()  # the new account has no delegation yet
    body = admin_api.get("/integration").json()
    assert body["status"] == "failed"
    assert body["service_account"]["client_id"] == account["client_id"]

    now = datetime.now(UTC)
    busy = provider_for(tenant, member).free_busy(
        as_email=member.email, emails=[member.email], start=now, end=now + timedelta(hours=1)
    )
    assert member.email in busy.busy  # still served, by the old key
    assert Credential.objects.count() == 2

    sandbox.grant_delegation(connected.domain, account["client_id"], [SCOPE])
    jobs.run_due(now=later(minutes=2))
    assert admin_api.get("/integration").json()["status"] == "verified"
    remaining = Credential.objects.get()
    assert remaining.secret_id == new_key["private_key_id"] and remaining.in_service


@transactional
def test_delete_destroys_the_stored_key(admin_api, tenant, member, connected):
    from meetbridge.integrations.access import provider_for
    from meetbridge.integrations.provider import NotConnected

    assert admin_api.delete("/integration").status_code == 204
    assert nothing_stored()
    assert admin_api.get("/integration").json()["status"] == "not_configured"
    with pytest.raises(NotConnected):
        provider_for(tenant, member)
    assert admin_api.delete("/integration").status_code == 204
    assert AuditEvent.objects.filter(operation="integration.deleted").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {
            "provider": "microsoft",
            "tenant_id": "not a tenant",
            "client_id": "x",
            "client_secret": "s",
        },
        {
            "provider": "microsoft",
            "tenant_id": "contoso.com",
            "client_id": "8c1a9b2e-1c2d-4e5f-9a0b-1c2d3e4f5a6b",
        },
        {"provider": "microsoft", "service_account_key": key_file()},
        {"provider": "google", "tenant_id": "contoso.com"},
    ],
    ids=["bad tenant id", "neither secret nor certificate", "a Google key", "Microsoft fields"],
)
def test_a_credential_of_the_wrong_shape_for_its_provider_is_refused(admin_api, body):
    response = admin_api.put("/integration", body)
    assert response.status_code == 422
    assert set(response.json()["error"]) == {"code", "message"}
    assert nothing_stored()
