"""Turning stored values into words people read on the pages. Pure: no Django, no database."""

from __future__ import annotations

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "mon": "Mon",
    "tue": "Tue",
    "wed": "Wed",
    "thu": "Thu",
    "fri": "Fri",
    "sat": "Sat",
    "sun": "Sun",
}


def _ranges_text(ranges: list[list[str]]) -> str:
    return ", ".join(f"{start}–{end}" for start, end in ranges)


def working_hours_summary(hours: dict[str, list[list[str]]]) -> str:
    """'Mon–Fri 09:00–17:00' for the usual week; consecutive days with equal hours are grouped."""
    groups: list[tuple[list[str], str]] = []
    for day in DAYS:
        ranges = hours.get(day) or []
        text = _ranges_text(ranges) if ranges else ""
        if groups and groups[-1][1] == text and groups[-1][0][-1] == DAYS[DAYS.index(day) - 1]:
            groups[-1][0].append(day)
        else:
            groups.append(([day], text))
    parts = []
    for days, text in groups:
        if not text:
            continue
        label = DAY_NAMES[days[0]]
        if len(days) == 2:
            label += ", " + DAY_NAMES[days[-1]]
        elif len(days) > 2:
            label += "–" + DAY_NAMES[days[-1]]
        parts.append(f"{label} {text}")
    return "; ".join(parts) or "No working hours set"


# Operations as the audit log names them, in words an admin reads at a glance.
OPERATION_WORDS = {
    "oauth2.token": "Obtained an access token",
    "calendar.freebusy.query": "Read free/busy times",
    "calendar.events.insert": "Created a calendar event",
    "calendar.events.get": "Read back an event it created",
    "calendar.events.list": "Read the times of a person's events to move a meeting",
    "calendar.events.patch": "Moved an event it created",
    "calendar.events.delete": "Cancelled an event it created",
    "integration.key_saved": "Key saved",
    "integration.check_requested": "Check requested",
    "integration.verified": "Connection verified",
    "integration.check_failed": "Connection check failed",
    "integration.deleted": "Disconnected; stored keys destroyed",
    "calendar_access.granted": "Granted calendar access",
    "calendar_access.changed": "Changed time zone or working hours",
    "calendar_access.revoked": "Revoked calendar access",
    "demo.sandbox_restarted": "Local demo restarted",
    "member.invited": "Invited someone",
    "member.invitation_resent": "Sent an invitation again",
    "member.invitation_withdrawn": "Withdrew an invitation",
    "member.invitation_refused": "Refused an invitation link",
    "member.invite_refused": "Refused to invite an address",
    "member.joined": "Joined the organisation",
    "member.role_changed": "Changed a role",
    "member.removed": "Removed a person",
    "tenant.changed": "Changed the organisation's settings",
    "sign_in.google_linked": "Linked a Google account on first sign-in",
    "sign_in.google_refused": "Refused a Google sign-in",
    "api_token.created": "Created an API token",
    "api_token.revoked": "Revoked an API token",
}


def operation_words(operation: str) -> str:
    """A readable name for an audited operation; unknown names are shown tidied, not hidden."""
    key = operation.strip()
    if key in OPERATION_WORDS:
        return OPERATION_WORDS[key]
    tidy = key.lower().replace("_", " ").replace(".", ": ")
    return tidy[:1].upper() + tidy[1:] if tidy else "Unnamed operation"


def outcome_tone(outcome: str) -> str:
    """The badge colour of an outcome: ok, warn (in progress) or bad (anything that failed)."""
    value = outcome.strip().lower()
    if value in ("ok", "success", "verified", "granted", "created", "done", "revoked"):
        return "ok"
    if value in ("pending", "retrying", "started", "queued"):
        return "warn"
    return "bad"
