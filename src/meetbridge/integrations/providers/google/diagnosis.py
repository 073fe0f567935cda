"""What went wrong with a tenant's Google setup, and which step of the setup guide fixes it.

Pure: Google's error answers (token endpoint and Calendar API) in, a `Diagnosis` out. The
guide's steps are those of the Integrations page and docs/setup-google-workspace.md:
Step 1 makes the service account and its JSON key in Google Cloud, Step 2 authorises the
client ID for domain-wide delegation with the calendar scope in the Workspace admin console
(its Pro Tip: enable the Calendar API in the project), Step 3 pastes the key into meetbridge.

Everything Google sends back is treated as untrusted text: it is cleaned and shortened before
it goes into a message. Nothing here ever sees a private key or a token.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from meetbridge.integrations.provider import ProviderError
from meetbridge.integrations.providers.google.scope import CALENDAR_SCOPE

STEP_1 = "Step 1 (service account and JSON key in the Google Cloud console)"
STEP_2 = "Step 2 (domain-wide delegation in the Google Workspace admin console)"
PRO_TIP = "the Pro Tip of Step 2 (enable the Google Calendar API)"

# invalid_grant has several causes; Google tells them apart only by error_description.
USER_UNKNOWN_TEXT = "invalid email or user id"
BAD_SIGNATURE_TEXT = "invalid jwt signature"
CLOCK_TEXT = "token must be a short-lived token"
AUDIENCE_TEXT = "failed audience check"

RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


@dataclass(frozen=True)
class Context:
    """Who and what a failed call was about; only public identifiers, never key material."""

    client_email: str = ""
    client_id: str = ""
    project_id: str = ""
    private_key_id: str = ""
    subject_email: str = ""
    operation: str = ""
    scope: str = CALENDAR_SCOPE


@dataclass(frozen=True)
class Diagnosis:
    code: str
    message: str
    fix: str
    heals: bool  # may turn right later without anyone acting (propagation, outage, limits)

    @property
    def problem(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "fix": self.fix}

    def error(self, status: int = 0) -> ProviderError:
        return ProviderError(
            self.code, self.message, retryable=self.heals, status=status, fix=self.fix
        )


def clean_text(value: Any, limit: int = 200) -> str:
    """Google's text, made safe to show: printable characters only, one line, bounded."""
    text = value if isinstance(value, str) else ""
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _service_account(ctx: Context) -> str:
    return ctx.client_email or "the service account"


def _project(ctx: Context, fallback: str = "") -> str:
    project = ctx.project_id or fallback
    return f"the Google Cloud project {project}" if project else "its Google Cloud project"


def _subject(ctx: Context) -> str:
    return ctx.subject_email or "the person meetbridge acted for"


def delegation_fix(ctx: Context) -> str:
    client_id = ctx.client_id or "(the client ID shown on this page)"
    return (
        f"Redo {STEP_2}: in admin.google.com open Security > API controls > Manage domain wide "
        f"delegation, click Add new, enter the client ID {client_id} and the OAuth scope "
        f"{ctx.scope} exactly, then click Authorize. If you have just done so, wait: Google can "
        "take from a few minutes up to 24 hours to apply it, and meetbridge checks again by itself."
    )


def new_key_fix(ctx: Context) -> str:
    return (
        f"Redo the end of {STEP_1}: open the service account {_service_account(ctx)} in the "
        "Google Cloud console (IAM & Admin > Service Accounts), on its Keys tab click Add key > "
        "Create new key > JSON, then paste the downloaded file here and save it."
    )


# --- token endpoint ---------------------------------------------------------------------------


def diagnose_token_error(status: int, body: Mapping[str, Any] | str, ctx: Context) -> Diagnosis:
    """The token exchange was refused: `{"error", "error_description"}` from Google."""
    data = body if isinstance(body, Mapping) else {}
    error = clean_text(data.get("error"), 60)
    description = clean_text(data.get("error_description"))
    said = f"Google answered {error or 'an error'}" + (
        f": {description.rstrip('.')}" if description else ""
    )
    lowered = description.lower()

    if status >= 500 or status == 429 or error in ("server_error", "temporarily_unavailable"):
        return google_trouble(ctx, said)
    if error == "unauthorized_client":
        return Diagnosis(
            "delegation_missing",
            f"Google does not let {_service_account(ctx)} act for {_subject(ctx)}: client ID "
            f"{ctx.client_id or '?'} is not authorised for domain-wide delegation with the "
            f"scope {ctx.scope} ({said}).",
            delegation_fix(ctx),
            heals=True,
        )
    if error == "invalid_grant" and USER_UNKNOWN_TEXT in lowered:
        return Diagnosis(
            "user_unknown",
            f"Google does not know {_subject(ctx)} as a user of your Google Workspace, so the "
            f"service account cannot act for them ({said}).",
            f"Make sure {_subject(ctx)} is an active user of the Workspace domain where you "
            f"authorised delegation in {STEP_2}. meetbridge checks the connection as the "
            "tenant admin who saved the key, so that admin needs a Google Workspace account "
            "with the same address; then click Check again.",
            heals=False,
        )
    if error == "invalid_grant" and BAD_SIGNATURE_TEXT in lowered:
        return Diagnosis(
            "key_invalid",
            f"Google rejected the key{' ' + ctx.private_key_id if ctx.private_key_id else ''} "
            f"of {_service_account(ctx)}: it was deleted or disabled in the Google Cloud "
            f"console, or it is not a key Google issued ({said}).",
            new_key_fix(ctx),
            heals=False,
        )
    if error == "invalid_grant" and CLOCK_TEXT in lowered:
        return Diagnosis(
            "clock_skew",
            f"Google refused the sign-in because the clock of the meetbridge server is wrong "
            f"({said}).",
            "Nothing to change in Google: the operator of this meetbridge installation must "
            "synchronise the server's clock (NTP). meetbridge checks again by itself.",
            heals=True,
        )
    if error == "invalid_grant" and AUDIENCE_TEXT in lowered:
        return Diagnosis(
            "token_endpoint_mismatch",
            f"The token endpoint meetbridge is configured with refused its sign-in ({said}).",
            "Nothing to change in your setup: the operator of this meetbridge installation must "
            "check GOOGLE_TOKEN_URI.",
            heals=False,
        )
    if error == "disabled_client":
        return Diagnosis(
            "service_account_disabled",
            f"The service account {_service_account(ctx)} is disabled in {_project(ctx)} ({said}).",
            f"Go back to {STEP_1}: in the Google Cloud console open IAM & Admin > Service "
            f"Accounts, select {_service_account(ctx)} and enable it, then click Check again.",
            heals=False,
        )
    if error == "deleted_client":
        return Diagnosis(
            "service_account_deleted",
            f"The service account {_service_account(ctx)} was deleted from {_project(ctx)} "
            f"({said}).",
            f"Redo {STEP_1} to create a new service account and a JSON key, then {STEP_2} with "
            "the new service account's client ID, and paste the new key here.",
            heals=False,
        )
    if error == "invalid_scope":
        return Diagnosis(
            "scope_invalid",
            f"Google did not accept the scope meetbridge asked for ({said}).",
            "This is a problem in meetbridge, not in your setup: tell the operator of this "
            "meetbridge installation.",
            heals=False,
        )
    return Diagnosis(
        "token_refused",
        f"Google refused to give {_service_account(ctx)} access for {_subject(ctx)} ({said}).",
        f"Check {STEP_1} (use a fresh JSON key) and {STEP_2} (client ID "
        f"{ctx.client_id or '?'} with the scope {ctx.scope}), then click Check again.",
        heals=False,
    )


# --- Calendar API -----------------------------------------------------------------------------


def api_error_reason(body: Mapping[str, Any] | str) -> str:
    """The first `errors[].reason` of a Calendar API error body ('' when there is none)."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return ""
    errors = error.get("errors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, Mapping) and isinstance(item.get("reason"), str):
                return clean_text(item["reason"], 60)
    for detail in error.get("details") or []:
        if isinstance(detail, Mapping) and detail.get("reason") == "SERVICE_DISABLED":
            return "accessNotConfigured"
    return ""


def _api_message(body: Mapping[str, Any] | str) -> str:
    error = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(error, Mapping):
        return clean_text(error.get("message"))
    return ""


def _project_number(body: Mapping[str, Any] | str) -> str:
    """Google names the project by number in ErrorInfo metadata ('projects/N') or its text."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return ""
    for detail in error.get("details") or []:
        metadata = detail.get("metadata") if isinstance(detail, Mapping) else None
        consumer = metadata.get("consumer") if isinstance(metadata, Mapping) else None
        if isinstance(consumer, str):
            match = re.fullmatch(r"projects/(\d{1,30})", consumer)
            if match:
                return match.group(1)
    match = re.search(r"project (\d{1,30})\b", _api_message(body))
    return match.group(1) if match else ""


def calendar_api_link(project: str) -> str:
    return (
        "https://console.developers.google.com/apis/api/calendar-json.googleapis.com/"
        f"overview?project={project}"
    )


def diagnose_api_error(status: int, body: Mapping[str, Any] | str, ctx: Context) -> Diagnosis:
    """A Calendar API call failed: `{"error": {"code", "message", "errors": [{reason}]}}`."""
    reason = api_error_reason(body)
    message = _api_message(body)
    said = f"Google answered {status}" + (f" {reason}" if reason else "")
    said += f": {message.rstrip('.')}" if message else ""
    operation = ctx.operation or "the calendar call"

    if reason == "accessNotConfigured" or (status == 403 and "has not been used" in message):
        project = _project_number(body) or ctx.project_id
        link = f" ({calendar_api_link(project)})" if project else ""
        return Diagnosis(
            "api_disabled",
            f"The Google Calendar API is not enabled in {_project(ctx, project)} of the "
            f"service account ({said}).",
            f"Follow {PRO_TIP}: in the Google Cloud console open APIs & Services > Library in "
            f"{_project(ctx, project)}, find Google Calendar API and click Enable{link}. If you "
            "have just enabled it, wait a few minutes: meetbridge checks again by itself.",
            heals=True,
        )
    if reason in RATE_LIMIT_REASONS or status == 429:
        return Diagnosis(
            "rate_limited",
            f"Google is limiting how fast meetbridge may call the Calendar API ({said}).",
            "Nothing to do: meetbridge slows down and tries again.",
            heals=True,
        )
    if reason == "quotaExceeded":
        return Diagnosis(
            "quota_exceeded",
            f"{_subject(ctx)} has reached Google Calendar's usage limits for now ({said}).",
            "Wait a while before booking again; Google lifts the limit by itself.",
            heals=True,
        )
    if status >= 500:
        return google_trouble(ctx, said)
    if status == 401:
        return Diagnosis(
            "token_rejected",
            f"Google did not accept meetbridge's access token for {_subject(ctx)} ({said}).",
            "Nothing to do: meetbridge gets a new token and tries again.",
            heals=True,
        )
    if reason == "forbiddenForServiceAccounts":
        return Diagnosis(
            "delegation_missing",
            f"Google treats {_service_account(ctx)} as acting without domain-wide delegation "
            f"({said}).",
            delegation_fix(ctx),
            heals=True,
        )
    if status == 404:
        return Diagnosis(
            "not_found",
            f"Google found nothing for {operation} on the calendar of {_subject(ctx)} ({said}).",
            "",
            heals=False,
        )
    if status == 409:
        return Diagnosis("conflict", f"Google refused {operation}: {said}.", "", heals=False)
    if status == 400 and "time range is too long" in message.lower():
        return Diagnosis(
            "range_too_long",
            f"The time range asked of Google is too long ({said}).",
            "Ask for a shorter period.",
            heals=False,
        )
    if status == 403:
        return Diagnosis(
            "forbidden",
            f"Google refused {operation} for {_subject(ctx)} ({said}).",
            f"Check that {_subject(ctx)} has a Google Calendar in your Workspace and that "
            f"{STEP_2} authorised the scope {ctx.scope}.",
            heals=False,
        )
    return Diagnosis(
        "invalid_request",
        f"Google did not accept {operation} ({said}).",
        "",
        heals=False,
    )


# --- neither ----------------------------------------------------------------------------------


def google_trouble(ctx: Context, said: str) -> Diagnosis:
    return Diagnosis(
        "google_error",
        f"Google had a temporary problem answering meetbridge ({said}).",
        "Nothing to change in your setup: meetbridge checks again by itself.",
        heals=True,
    )


def diagnose_unreachable(ctx: Context, where: str) -> Diagnosis:
    return Diagnosis(
        "unreachable",
        f"meetbridge could not reach Google at {clean_text(where, 120)} (no answer, or the "
        "connection failed).",
        "Nothing to change in your setup: meetbridge checks again by itself. If this lasts, the "
        "operator of this meetbridge installation should check its network access to Google.",
        heals=True,
    )


def diagnose_malformed_answer(ctx: Context, what: str) -> Diagnosis:
    return Diagnosis(
        "google_error",
        f"Google's answer to {clean_text(what, 80)} could not be read.",
        "Nothing to change in your setup: meetbridge checks again by itself.",
        heals=True,
    )
