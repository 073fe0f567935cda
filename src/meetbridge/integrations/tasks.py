"""Background checks of tenants' keys (huey): on save, on request, on a backoff, and daily."""

from __future__ import annotations

from datetime import datetime

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from meetbridge.integrations import verification


@db_task()
def check_integration(credential_id: int, check_round: int, now: datetime | None = None):
    """Verify a key; if it failed in a way that can heal, schedule the next re-check.

    `now` lets a test drive the clock; the worker passes nothing and gets the real time.
    """
    result = verification.check_credential(credential_id, check_round, now=now)
    if result is None:
        return None
    if result.status == "failed" and result.next_delay is not None:
        check_integration.schedule(
            args=(credential_id, check_round), delay=result.next_delay.total_seconds()
        )
    return result.status


@db_periodic_task(crontab(minute="7"))
def recheck_verified_integrations(now: datetime | None = None) -> int:
    """Hourly sweep: every key in service that was last checked a day ago is checked again."""
    due = verification.due_for_daily_check(now)
    for credential_id, check_round in due:
        check_integration(credential_id, check_round)
    return len(due)


@db_periodic_task(crontab(minute="17"))
def warn_expiring_credentials(now: datetime | None = None) -> int:
    """Hourly: an audit entry when a credential in service comes within 30, 7 or 1 days of
    expiring, and when it has expired (once each)."""
    from meetbridge.integrations.expiring import warn_due

    return warn_due(now)
