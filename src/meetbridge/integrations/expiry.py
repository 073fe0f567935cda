"""Warning a tenant admin before a credential expires. Pure, provider-neutral.

A provider refuses an expired credential without notice (Microsoft: AADSTS7000222 for a client
secret), so the admin is warned 30, 7 and 1 days ahead: a banner on the Integrations page, and
once per threshold an entry in the audit log (`expiring.py`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

THRESHOLD_DAYS = (30, 7, 1)


def threshold_reached(expires_at: datetime | None, now: datetime) -> int | None:
    """The smallest warning threshold (in days) already reached; 0 once expired; None while
    more than 30 days are left or nothing expires."""
    if expires_at is None:
        return None
    left = expires_at - now
    if left <= timedelta(0):
        return 0
    reached = [days for days in THRESHOLD_DAYS if left <= timedelta(days=days)]
    return min(reached) if reached else None


def warning(
    expires_at: datetime | None, now: datetime, what: str = "credential", company: str = ""
) -> str | None:
    """The banner's sentence, or None when no warning is due."""
    threshold = threshold_reached(expires_at, now)
    if threshold is None:
        return None
    refuses = f"{company} now refuses it" if company else "it no longer works"
    if threshold == 0:
        return (
            f"The {what} expired on {expires_at:%Y-%m-%d}: {refuses}. Make a new one and save "
            "it here."
        )
    days = max(1, (expires_at - now).days + (1 if (expires_at - now).seconds else 0))
    return (
        f"The {what} expires on {expires_at:%Y-%m-%d %H:%M} UTC, in {days} "
        f"day{'s' if days != 1 else ''}. Make a new one and save it here before then: the "
        "current one keeps working until the new one is verified."
    )


def due_audit(
    expires_at: datetime | None, now: datetime, last_warned_days: int | None
) -> int | None:
    """The threshold to write to the audit log now, if it was not written yet."""
    threshold = threshold_reached(expires_at, now)
    if threshold is None or (last_warned_days is not None and threshold >= last_warned_days):
        return None
    return threshold
