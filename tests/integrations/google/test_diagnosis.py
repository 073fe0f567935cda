"""Google's refusals turned into a diagnosis naming the setup step that fixes them."""

from __future__ import annotations

import pytest

from meetbridge.integrations.providers.google.diagnosis import (
    Context,
    clean_text,
    diagnose_api_error,
    diagnose_token_error,
    diagnose_unreachable,
)
from meetbridge.integrations.providers.google.scope import CALENDAR_SCOPE

CTX = Context(
    client_email="meetbridge@acme-calendar.iam.gserviceaccount.com",
    client_id="104857600123456789012",
    project_id="acme-calendar",
    private_key_id="3f2a9c1e",
    subject_email="ana@acme.test",
    operation="calendar.freebusy.query",
)
UNAUTHORIZED = (
    "Client is unauthorized to retrieve access tokens using this method, or client not "
    "authorized for any of the scopes requested."
)


def token(error: str, description: str, status: int = 400):
    return diagnose_token_error(status, {"error": error, "error_description": description}, CTX)


def api(code: int, reason: str, message: str = "", **extra):
    return diagnose_api_error(
        code,
        {"error": {"code": code, "message": message, "errors": [{"reason": reason}], **extra}},
        CTX,
    )


def test_missing_delegation_names_step_2_with_the_client_id_and_exact_scope():
    found = token("unauthorized_client", UNAUTHORIZED, 401)
    assert found.code == "delegation_missing"
    assert "Step 2" in found.fix
    assert CTX.client_id in found.fix and CALENDAR_SCOPE in found.fix
    assert "24 hours" in found.fix
    assert found.heals  # Google applies delegation changes late


def test_invalid_grant_is_told_apart_by_its_description():
    unknown = token("invalid_grant", "Invalid email or User ID")
    signature = token("invalid_grant", "Invalid JWT Signature.")
    clock = token(
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
        "timeframe. Check your iat and exp values in the JWT claim.",
    )
    assert (unknown.code, signature.code, clock.code) == (
        "user_unknown",
        "key_invalid",
        "clock_skew",
    )
    assert "ana@acme.test" in unknown.message and not unknown.heals
    assert "Step 1" in signature.fix and "Create new key > JSON" in signature.fix
    assert not signature.heals
    assert clock.heals and "clock" in clock.fix
    audience = token("invalid_grant", "Invalid JWT: Failed audience check.")
    assert audience.code == "token_endpoint_mismatch" and "GOOGLE_TOKEN_URI" in audience.fix


def test_a_disabled_or_deleted_service_account_sends_the_admin_back_to_step_1():
    disabled = token("disabled_client", "The OAuth client was disabled.")
    deleted = token("deleted_client", "The OAuth client was deleted.")
    assert disabled.code == "service_account_disabled" and "Step 1" in disabled.fix
    assert "enable it" in disabled.fix
    assert deleted.code == "service_account_deleted" and "Step 1" in deleted.fix
    assert "Step 2" in deleted.fix  # a new account has a new client ID to authorise
    assert not disabled.heals and not deleted.heals


def test_an_unknown_token_error_quotes_google_and_points_at_steps_1_and_2():
    found = token("invalid_request", "Something new")
    assert found.code == "token_refused"
    assert "Something new" in found.message
    assert "Step 1" in found.fix and "Step 2" in found.fix


def test_token_endpoint_trouble_heals():
    assert token("server_error", "", 503).code == "google_error"
    assert token("server_error", "", 503).heals


def test_calendar_api_disabled_names_the_pro_tip_the_project_and_its_console_link():
    found = api(
        403,
        "accessNotConfigured",
        "Google Calendar API has not been used in project 123456 before or it is disabled.",
        status="PERMISSION_DENIED",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "SERVICE_DISABLED",
                "metadata": {
                    "consumer": "projects/123456",
                    "service": "calendar-json.googleapis.com",
                },
            }
        ],
    )
    assert found.code == "api_disabled"
    assert "Pro Tip" in found.fix and "acme-calendar" in found.fix
    assert "calendar-json.googleapis.com/overview?project=123456" in found.fix
    assert found.heals  # enabling propagates within minutes


@pytest.mark.parametrize(
    ("status", "reason", "code", "heals"),
    [
        (403, "rateLimitExceeded", "rate_limited", True),
        (403, "userRateLimitExceeded", "rate_limited", True),
        (429, "", "rate_limited", True),
        (403, "quotaExceeded", "quota_exceeded", True),
        (500, "backendError", "google_error", True),
        (401, "authError", "token_rejected", True),
        (404, "notFound", "not_found", False),
        (409, "duplicate", "conflict", False),
        (400, "invalid", "invalid_request", False),
        (403, "forbiddenForServiceAccounts", "delegation_missing", True),
        (403, "forbidden", "forbidden", False),
    ],
)
def test_calendar_api_errors_by_reason(status, reason, code, heals):
    found = api(status, reason, "Some message")
    assert (found.code, found.heals) == (code, heals)


def test_a_range_google_finds_too_long_is_its_own_code():
    assert api(400, "", "The requested time range is too long.").code == "range_too_long"


def test_a_non_json_error_body_is_still_diagnosed():
    assert diagnose_api_error(502, "<html>Bad Gateway</html>", CTX).code == "google_error"
    assert diagnose_token_error(400, "garbage", CTX).code == "token_refused"


def test_unreachable_heals_and_needs_no_admin_action():
    found = diagnose_unreachable(CTX, "https://oauth2.googleapis.com")
    assert found.code == "unreachable" and found.heals
    assert "Nothing to change in your setup" in found.fix


def test_google_text_is_cleaned_before_it_is_shown():
    found = token("invalid_grant", "Invalid JWT Signature.\x1b[2J\u202e" + "x" * 1000)
    assert "\x1b" not in found.message and "\u202e" not in found.message
    assert len(found.message) < 600
    assert clean_text("a\n\tb\x00c") == "a b c"
    assert clean_text(None) == ""


def test_a_diagnosis_becomes_a_provider_error_with_the_same_problem():
    found = token("unauthorized_client", UNAUTHORIZED, 401)
    error = found.error(401)
    assert error.problem == found.problem
    assert error.retryable and error.status == 401
