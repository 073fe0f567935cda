"""What went wrong with a tenant's Microsoft 365 setup, and which setup step fixes it. Pure.

Entra ID's and Graph's error answers in, a `Diagnosis` out. Entra's refusals are told apart by
`error_codes[0]` (Microsoft says its texts change without notice); Graph's by `error.code`, except
the one case where only the message differs: `ErrorAccessDenied` for a mailbox outside an
application access policy ("Access to OData is disabled.") against a missing admin consent.

The steps are those of the Integrations page and docs/setup-microsoft-365.md: Step 1 registers
the app in the Microsoft Entra admin center, Step 2 adds the Calendars.ReadWrite application
permission and grants admin consent, Step 3 (optional) limits the app to some mailboxes with an
application access policy, Step 4 adds a certificate or a client secret and pastes it here.
Microsoft's text is untrusted: it is cleaned and shortened before it goes into a message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from meetbridge.integrations.provider import ProviderError

PERMISSION = "Calendars.ReadWrite"
STEP_1 = "Step 1 (app registration in the Microsoft Entra admin center)"
STEP_2 = f"Step 2 (the {PERMISSION} application permission and admin consent)"
STEP_3 = "Step 3 (the application access policy in Exchange Online)"
STEP_4 = "Step 4 (a certificate or client secret for the app)"
OUTSIDE_POLICY_TEXT = "access to odata is disabled"


@dataclass(frozen=True)
class Context:
    """Who and what a failed call was about; only public identifiers, never a secret."""

    tenant_id: str = ""
    client_id: str = ""
    credential: str = ""  # "secret" or "certificate"
    mailbox: str = ""
    operation: str = ""


@dataclass(frozen=True)
class Diagnosis:
    code: str
    message: str
    fix: str
    heals: bool  # may turn right later without anyone acting (propagation, outage, limits)

    def error(self, status: int = 0) -> ProviderError:
        return ProviderError(
            self.code, self.message, retryable=self.heals, status=status, fix=self.fix
        )


def clean_text(value: Any, limit: int = 200) -> str:
    """Microsoft's text, made safe to show: printable, one line, without its trace ids."""
    text = value if isinstance(value, str) else ""
    text = re.split(r"\s*Trace ID:", text, maxsplit=1)[0]
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _app(ctx: Context) -> str:
    return f"the app {ctx.client_id}" if ctx.client_id else "the app"


def _tenant(ctx: Context) -> str:
    return f"directory {ctx.tenant_id}" if ctx.tenant_id else "your directory"


def _mailbox(ctx: Context) -> str:
    return ctx.mailbox or "the person meetbridge acted for"


def consent_fix(ctx: Context) -> str:
    return (
        f"Redo {STEP_2}: in entra.microsoft.com open App registrations > {_app(ctx)} > API "
        f"permissions, click Add a permission > Microsoft Graph > Application permissions, tick "
        f"{PERMISSION}, then click Grant admin consent. If you have just done so, wait: consent "
        "can take a few minutes to apply, and meetbridge checks again by itself."
    )


def new_credential_fix(ctx: Context, what: str) -> str:
    return (
        f"Redo {STEP_4}: in entra.microsoft.com open App registrations > {_app(ctx)} > "
        f"Certificates & secrets, {what}, then paste the new credential here and save it. "
        "A certificate is recommended: it cannot be mistyped and carries no shared secret."
    )


# --- Entra ID ---------------------------------------------------------------------------------


def entra_code(body: Mapping[str, Any] | str) -> int:
    """`error_codes[0]` of an Entra refusal (0 when there is none)."""
    if isinstance(body, Mapping):
        codes = body.get("error_codes")
        if isinstance(codes, list) and codes and isinstance(codes[0], int):
            return codes[0]
        match = re.match(r"AADSTS(\d{1,9})", str(body.get("error_description", "")))
        return int(match.group(1)) if match else 0
    match = re.search(r"AADSTS(\d{1,9})", body or "")
    return int(match.group(1)) if match else 0


def diagnose_token_error(body: Mapping[str, Any] | str, ctx: Context) -> Diagnosis:
    """Entra refused the token: `{"error", "error_description", "error_codes": [n], ...}`."""
    data = body if isinstance(body, Mapping) else {}
    code = entra_code(body)
    error = clean_text(data.get("error"), 60)
    said = f"Microsoft answered {error or 'an error'}" + (f" (AADSTS{code})" if code else "")
    description = clean_text(data.get("error_description"))
    if description:
        said += f": {description.rstrip('.')}"

    if code == 90002:
        return tenant_unknown(ctx, said)
    if code == 700016:
        return Diagnosis(
            "app_unknown",
            f"Microsoft does not know {_app(ctx)} in {_tenant(ctx)} ({said}).",
            f"Check {STEP_1}: copy the Application (client) ID from the app's Overview page, and "
            "make sure the Directory (tenant) ID is that of the directory where you registered "
            "it; then save the credential again.",
            heals=False,
        )
    if code == 7000215:
        return Diagnosis(
            "secret_invalid",
            f"Microsoft rejected the client secret of {_app(ctx)}: it is wrong, deleted, or it "
            f"is the secret's ID rather than its value ({said}).",
            new_credential_fix(ctx, "under Client secrets click New client secret and copy its "
                               "Value (not its Secret ID) at once: it is shown only once"),
            heals=False,
        )  # fmt: skip
    if code == 7000222:
        return Diagnosis(
            "secret_expired",
            f"The client secret of {_app(ctx)} has expired ({said}).",
            new_credential_fix(ctx, "add a new client secret (or better, a certificate)"),
            heals=False,
        )
    if code == 700027:
        return Diagnosis(
            "certificate_unregistered",
            f"Microsoft does not recognise the certificate meetbridge signs in with as one "
            f"registered on {_app(ctx)} ({said}).",
            new_credential_fix(ctx, "under Certificates click Upload certificate and upload the "
                               "certificate (.cer or .pem) whose private key you paste here"),
            heals=False,
        )  # fmt: skip
    if code == 7000112:
        return Diagnosis(
            "app_disabled",
            f"{_app(ctx).capitalize()} is disabled in {_tenant(ctx)} ({said}).",
            "In entra.microsoft.com open Enterprise applications, select the app, and under "
            "Properties set Enabled for users to sign-in? to Yes; then click Check again. If "
            "Microsoft disabled it, its Overview page says why.",
            heals=False,
        )
    if code == 7000218:
        return Diagnosis(
            "credential_missing",
            f"meetbridge sent no credential for {_app(ctx)} ({said}).",
            new_credential_fix(ctx, "add a certificate or a client secret"),
            heals=False,
        )
    if code == 70011:
        return Diagnosis(
            "scope_invalid",
            f"Microsoft did not accept the permission scope meetbridge asked for ({said}).",
            "This is a problem in meetbridge, not in your setup: tell its operator.",
            heals=False,
        )
    if code == 50196 or error == "temporarily_unavailable" or code == 90033:
        return microsoft_trouble(said)
    return Diagnosis(
        "token_refused",
        f"Microsoft refused to give {_app(ctx)} a token for {_tenant(ctx)} ({said}).",
        f"Check {STEP_1} (the tenant and client IDs) and {STEP_4} (the credential), then click "
        "Check again.",
        heals=False,
    )


def tenant_unknown(ctx: Context, said: str = "") -> Diagnosis:
    return Diagnosis(
        "tenant_unknown",
        f"Microsoft does not know the directory (tenant) {ctx.tenant_id or '?'}"
        + (f" ({said})." if said else "."),
        f"Check {STEP_1}: copy the Directory (tenant) ID from the app registration's Overview "
        "page (a GUID; your verified domain works too), then save the credential again.",
        heals=False,
    )


# --- Graph ------------------------------------------------------------------------------------


def graph_error(body: Mapping[str, Any] | str) -> tuple[str, str]:
    """(code, message) of a Graph error body."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return "", ""
    return clean_text(error.get("code"), 60), clean_text(error.get("message"))


def diagnose_graph_error(status: int, body: Mapping[str, Any] | str, ctx: Context) -> Diagnosis:
    code, message = graph_error(body)
    said = f"Microsoft Graph answered {status}" + (f" {code}" if code else "")
    said += f": {message.rstrip('.')}" if message else ""
    operation = ctx.operation or "the calendar call"

    if status == 403 and OUTSIDE_POLICY_TEXT in message.lower():
        return Diagnosis(
            "mailbox_outside_policy",
            f"{_mailbox(ctx)} is outside the mailboxes your admin allowed {_app(ctx)} to reach "
            f"({said}).",
            f"Redo {STEP_3}: add {_mailbox(ctx)} to the mail-enabled security group named in "
            "your New-ApplicationAccessPolicy (or remove the policy), and check it with "
            "Test-ApplicationAccessPolicy. Exchange can take an hour or more to apply a change; "
            "meetbridge checks again by itself.",
            heals=True,
        )
    if status == 403 and code in ("ErrorAccessDenied", "Authorization_RequestDenied", ""):
        return Diagnosis(
            "consent_missing",
            f"Microsoft Graph refused {operation} for {_mailbox(ctx)}: {_app(ctx)} has no "
            f"admin-consented {PERMISSION} application permission ({said}).",
            consent_fix(ctx),
            heals=True,
        )
    if status == 429:
        return Diagnosis(
            "rate_limited",
            f"Microsoft is limiting how fast meetbridge may call Outlook ({said}).",
            "Nothing to do: meetbridge slows down and tries again.",
            heals=True,
        )
    if status >= 500:
        return microsoft_trouble(said)
    if status == 401:
        return Diagnosis(
            "token_rejected",
            f"Microsoft Graph did not accept meetbridge's access token ({said}).",
            "Nothing to do: meetbridge gets a new token and tries again.",
            heals=True,
        )
    if status == 404 and code in ("ErrorInvalidUser", "ResourceNotFound"):
        return Diagnosis(
            "mailbox_unknown",
            f"Microsoft 365 does not know {_mailbox(ctx)} as a user of {_tenant(ctx)} ({said}).",
            f"Make sure {_mailbox(ctx)} is a user with an Exchange Online mailbox in the "
            "directory you connected; meetbridge checks the connection as the tenant admin who "
            "saved the credential, so that admin needs a mailbox with the same address.",
            heals=False,
        )
    if status == 404 and (code == "MailboxNotEnabledForRESTAPI" or "rest api" in message.lower()):
        return Diagnosis(
            "mailbox_unlicensed",
            f"{_mailbox(ctx)} has no Exchange Online mailbox meetbridge can use: it is "
            f"unlicensed, inactive, a guest, or hosted on-premises ({said}).",
            f"Give {_mailbox(ctx)} a Microsoft 365 licence with Exchange Online in the Microsoft "
            "365 admin center, then click Check again.",
            heals=False,
        )
    if status == 404:
        return Diagnosis(
            "not_found",
            f"Microsoft found nothing for {operation} in the mailbox of {_mailbox(ctx)} ({said}).",
            "",
            heals=False,
        )
    if status in (409, 412):
        return Diagnosis("conflict", f"Microsoft refused {operation}: {said}.", "", heals=False)
    return Diagnosis(
        "invalid_request", f"Microsoft did not accept {operation} ({said}).", "", heals=False
    )


# --- neither ----------------------------------------------------------------------------------


def microsoft_trouble(said: str) -> Diagnosis:
    return Diagnosis(
        "microsoft_error",
        f"Microsoft had a temporary problem answering meetbridge ({said}).",
        "Nothing to change in your setup: meetbridge checks again by itself.",
        heals=True,
    )


def diagnose_unreachable(where: str) -> Diagnosis:
    return Diagnosis(
        "unreachable",
        f"meetbridge could not reach Microsoft at {clean_text(where, 120)} (no answer, or the "
        "connection failed).",
        "Nothing to change in your setup: meetbridge checks again by itself. If this lasts, the "
        "operator of this meetbridge installation should check its network access to Microsoft "
        "(and MICROSOFT_CA_BUNDLE, if set).",
        heals=True,
    )


def diagnose_malformed_answer(what: str) -> Diagnosis:
    return Diagnosis(
        "microsoft_error",
        f"Microsoft's answer to {clean_text(what, 80)} could not be read.",
        "Nothing to change in your setup: meetbridge checks again by itself.",
        heals=True,
    )


def diagnose_credential_unusable(ctx: Context) -> Diagnosis:
    return Diagnosis(
        "credential_invalid",
        f"The stored {ctx.credential or 'credential'} of {_app(ctx)} cannot be used to sign in.",
        new_credential_fix(ctx, "add a certificate or a client secret"),
        heals=False,
    )
