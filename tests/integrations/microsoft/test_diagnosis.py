"""Every failure of issue 11 item 5 gets its own diagnosis with a fix: the pure mapping from
Microsoft's answers, then the same cases end to end through the stand-in."""

from __future__ import annotations

import pytest

from meetbridge.integrations.provider import ProviderError
from meetbridge.integrations.providers.microsoft.diagnosis import (
    Context,
    clean_text,
    diagnose_graph_error,
    diagnose_token_error,
    diagnose_unreachable,
)

CTX = Context(tenant_id="t-1", client_id="c-1", credential="secret", mailbox="adele@contoso.test")
ADELE = "adele@contoso.test"


def entra(code: int, error: str) -> dict:
    return {
        "error": error,
        "error_description": f"AADSTS{code}: words.\r\nTrace ID: abc\r\nCorrelation ID: def",
        "error_codes": [code],
    }


def graph(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message, "innerError": {}}}


@pytest.mark.parametrize(
    ("body", "code", "heals", "fix_says"),
    [
        (entra(90002, "invalid_tenant"), "tenant_unknown", False, "Directory (tenant) ID"),
        (entra(700016, "unauthorized_client"), "app_unknown", False, "Application (client) ID"),
        (entra(7000215, "invalid_client"), "secret_invalid", False, "not its Secret ID"),
        (entra(7000222, "invalid_client"), "secret_expired", False, "new client secret"),
        (entra(700027, "invalid_client"), "certificate_unregistered", False, "Upload certificate"),
        (entra(7000112, "unauthorized_client"), "app_disabled", False, "Enterprise applications"),
        (entra(90033, "temporarily_unavailable"), "microsoft_error", True, "checks again"),
    ],
)
def test_token_refusals(body, code, heals, fix_says):
    diagnosis = diagnose_token_error(body, CTX)
    assert (diagnosis.code, diagnosis.heals) == (code, heals)
    assert fix_says in diagnosis.fix
    assert "Trace ID" not in diagnosis.message  # Microsoft's trace noise stays out


def test_code_not_text_decides():
    body = entra(7000222, "invalid_client")
    body["error_description"] = "AADSTS7000222: Reworded by Microsoft tomorrow."
    assert diagnose_token_error(body, CTX).code == "secret_expired"


@pytest.mark.parametrize(
    ("status", "body", "code", "heals"),
    [
        (403, graph("ErrorAccessDenied", "Access is denied. Check credentials and try again."), "consent_missing", True),
        (403, graph("ErrorAccessDenied", "Access to OData is disabled."), "mailbox_outside_policy", True),
        (404, graph("ErrorInvalidUser", "The requested user 'x' is invalid."), "mailbox_unknown", False),
        (404, graph("MailboxNotEnabledForRESTAPI", "The mailbox is either inactive."), "mailbox_unlicensed", False),
        (429, graph("ApplicationThrottled", "Application is over its MailboxConcurrency limit."), "rate_limited", True),
        (503, graph("ServiceUnavailable", "Service Unavailable"), "microsoft_error", True),
        (404, graph("ErrorItemNotFound", "The specified object was not found in the store."), "not_found", False),
    ],
)  # fmt: skip
def test_graph_refusals(status, body, code, heals):
    diagnosis = diagnose_graph_error(status, body, CTX)
    assert (diagnosis.code, diagnosis.heals) == (code, heals)
    assert diagnosis.fix or code == "not_found"


def test_outside_policy_names_the_mailbox_and_the_policy_step():
    diagnosis = diagnose_graph_error(
        403, graph("ErrorAccessDenied", "Access to OData is disabled."), CTX
    )
    assert ADELE in diagnosis.message
    assert "New-ApplicationAccessPolicy" in diagnosis.fix


def test_unreachable_heals():
    assert diagnose_unreachable("https://login.example").heals


def test_untrusted_text_is_cleaned():
    assert clean_text("a\x00b\r\nTrace ID: 1") == "a b"
    assert len(clean_text("x" * 500)) == 200


# --- end to end -------------------------------------------------------------------------------


def _verify_fails(provider) -> ProviderError:
    with pytest.raises(ProviderError) as failed:
        provider.verify(as_email=ADELE)
    assert failed.value.fix
    return failed.value


def test_wrong_tenant(make_provider, contoso):
    error = _verify_fails(make_provider(contoso, credential={"tenant_id": "wrong.test"}))
    assert error.code == "tenant_unknown"


def test_unknown_client(make_provider, contoso):
    error = _verify_fails(make_provider(contoso, credential={"client_id": "00000000-0000-0000-0000-000000000001"}))  # fmt: skip
    assert error.code == "app_unknown"


def test_wrong_secret(make_provider, contoso):
    error = _verify_fails(make_provider(contoso, credential={"client_secret": "nope"}))
    assert error.code == "secret_invalid"
    assert "nope" not in error.message + error.fix


def test_expired_secret(make_provider, microsoft):
    setup = microsoft.quick_setup("contoso.test", [ADELE], expires_in_days=1)
    microsoft.advance_clock(86400 * 2)
    assert _verify_fails(make_provider(setup)).code == "secret_expired"


def test_certificate_not_registered(make_provider, microsoft):
    setup = microsoft.quick_setup("contoso.test", [ADELE], credential="certificate")
    stranger = microsoft.add_certificate(setup.client_id)
    microsoft.delete_certificate(setup.client_id, stranger["id"])
    provider = make_provider(setup, credential={"certificate": stranger["certificate"], "private_key": stranger["private_key"]})  # fmt: skip
    error = _verify_fails(provider)
    assert error.code == "certificate_unregistered"
    assert "BEGIN" not in error.message + error.fix


def test_disabled_app(make_provider, microsoft, contoso):
    microsoft.disable_app(contoso.client_id)
    assert _verify_fails(make_provider(contoso)).code == "app_disabled"


def test_consent_missing_then_verified_by_itself(make_provider, microsoft, contoso):
    microsoft.revoke_consent(contoso.tenant_id, contoso.client_id)
    microsoft.grant_consent(contoso.tenant_id, contoso.client_id, propagation_seconds=900)
    provider = make_provider(contoso)
    error = _verify_fails(provider)
    assert (error.code, error.retryable) == ("consent_missing", True)
    microsoft.advance_clock(901)
    provider.verify(as_email=ADELE)  # the automatic re-check: nothing else changed


def test_read_only_consent_fails_the_write_probe(make_provider, microsoft, contoso):
    microsoft.grant_consent(contoso.tenant_id, contoso.client_id, ["Calendars.Read"])
    error = _verify_fails(make_provider(contoso))
    assert error.code == "consent_missing"
    assert "Calendars.ReadWrite" in error.fix


def test_mailbox_outside_policy_then_verified_by_itself(make_provider, microsoft, contoso):
    microsoft.set_access_policy(contoso.tenant_id, contoso.client_id, ["megan@contoso.test"])
    microsoft.set_access_policy(contoso.tenant_id, contoso.client_id, [ADELE], propagation_seconds=3600)  # fmt: skip
    provider = make_provider(contoso)
    error = _verify_fails(provider)
    assert (error.code, error.retryable) == ("mailbox_outside_policy", True)
    microsoft.advance_clock(3600)
    provider.verify(as_email=ADELE)


def test_mailbox_unknown(make_provider, microsoft, contoso):
    microsoft.remove_user(contoso.tenant_id, ADELE)
    assert _verify_fails(make_provider(contoso)).code == "mailbox_unknown"


def test_mailbox_unlicensed(make_provider, microsoft, contoso):
    microsoft.change_mailbox(ADELE, licensed=False)
    assert _verify_fails(make_provider(contoso)).code == "mailbox_unlicensed"


def test_microsoft_unreachable(make_provider, microsoft, contoso):
    provider = make_provider(contoso, attempts=2)
    provider._config = type(provider._config)(
        login_base="https://127.0.0.1:9/microsoft/login",
        graph_base="https://127.0.0.1:9/microsoft/graph",
        ca_bundle=microsoft.ca_path,
        retry=provider._config.retry,
    )
    error = _verify_fails(provider)
    assert (error.code, error.retryable) == ("unreachable", True)


def test_throttled_beyond_the_retries(make_provider, sandbox, contoso):
    from meetbridge.integrations.failures import http_status, retry_headers

    sandbox.set_faults(error_rate=1, error_status=429, paths=["/microsoft/graph/*"])
    error = _verify_fails(make_provider(contoso, attempts=2))
    assert (error.code, error.retryable) == ("rate_limited", True)
    assert (http_status(error), retry_headers(error)) == (429, {"Retry-After": "1"})


def test_microsofts_own_trouble_is_503():
    from meetbridge.integrations.failures import http_status

    assert http_status(ProviderError("microsoft_error", "x")) == 503


def test_untrusted_certificate_authority_is_unreachable_not_a_crash(make_provider, contoso):
    provider = make_provider(contoso, attempts=1)
    provider._config = type(provider._config)(
        login_base=provider._config.login_base, graph_base=provider._config.graph_base,
        ca_bundle=None, retry=provider._config.retry,
    )  # fmt: skip
    assert _verify_fails(provider).code == "unreachable"
