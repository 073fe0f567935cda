"""When to try a Google call again, and how long to wait first. Pure.

Google documents as retryable: 5xx, 429, and 403 with reason `rateLimitExceeded` or
`userRateLimitExceeded`; it asks for exponential backoff with jitter. `quotaExceeded` and
every other 4xx are final. A connection that failed or an answer that never came are retried
too: every call meetbridge makes is safe to repeat (inserts carry a client-chosen event id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

RETRYABLE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


def is_rate_limit(status: int, reason: str = "") -> bool:
    """Google's "slow down" (429, or 403 with a rate-limit reason), not its daily quota."""
    return status == 429 or (status == 403 and reason in RETRYABLE_REASONS)


def is_retryable(status: int, reason: str = "") -> bool:
    if status >= 500 or status == 429:
        return True
    return status == 403 and reason in RETRYABLE_REASONS


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5  # seconds before the second attempt, doubled each time after
    max_delay: float = 8.0

    def delay(self, attempt: int, random: Callable[[], float], retry_after: float | None = None):
        """Seconds to wait after failed attempt number `attempt` (1-based).

        Half the exponential step is fixed and half random ("equal jitter"), so waits grow
        while parallel callers spread out; a server's Retry-After wins when it is longer,
        but never beyond `max_delay`.
        """
        step = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        wait = step / 2 + random() * step / 2
        if retry_after is not None and retry_after > wait:
            wait = retry_after
        return min(wait, self.max_delay)

    def gives_up_after(self, attempt: int) -> bool:
        return attempt >= self.max_attempts
