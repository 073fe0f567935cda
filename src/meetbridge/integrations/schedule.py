"""When to check a failed integration again. Pure.

Google says a domain-wide delegation change can take minutes and up to 24 hours to apply, and
an API enabled in the console takes minutes to propagate. So a failure that can heal by itself
is checked again soon, then less often, and hourly until a day has passed.
"""

from __future__ import annotations

from datetime import timedelta

FIRST_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=60),
)
THEN_EVERY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)
DAILY_RECHECK = timedelta(days=1)


def recheck_delay(failed_checks: int) -> timedelta | None:
    """How long after failed check number `failed_checks` (1, 2, ...) to check again.

    None once the re-checks have covered a day: from then on only the admin starts a check
    (Check again, or a new key).
    """
    if failed_checks < 1:
        raise ValueError("failed_checks counts from 1")
    if failed_checks <= len(FIRST_DELAYS):
        return FIRST_DELAYS[failed_checks - 1]
    waited = sum(FIRST_DELAYS, timedelta()) + THEN_EVERY * (failed_checks - 1 - len(FIRST_DELAYS))
    if waited + THEN_EVERY > GIVE_UP_AFTER:
        return None
    return THEN_EVERY


def recheck_plan() -> list[timedelta]:
    """Every delay of a full day of re-checks, in order (for the docs and the page)."""
    plan = []
    attempt = 1
    while (delay := recheck_delay(attempt)) is not None:
        plan.append(delay)
        attempt += 1
    return plan
