"""Which Google answers are worth another attempt. Pure.

Google documents as retryable: 5xx, 429, and 403 with reason `rateLimitExceeded` or
`userRateLimitExceeded`; the 429 and the two 403s are its per-user "slow down", which pauses
that person for every thread. `quotaExceeded` and every other 4xx are final. A connection that
failed or an answer that never came are retried too (by the shared loop in
`integrations/http.py`): every call meetbridge makes is safe to repeat (inserts carry a
client-chosen event id).
"""

from __future__ import annotations

from typing import Any

from meetbridge.integrations.http import FINAL, SLOW_DOWN, TRY_AGAIN
from meetbridge.integrations.providers.google.diagnosis import api_error_reason

RETRYABLE_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


def is_rate_limit(status: int, reason: str = "") -> bool:
    """Google's "slow down" (429, or 403 with a rate-limit reason), not its daily quota."""
    return status == 429 or (status == 403 and reason in RETRYABLE_REASONS)


def is_retryable(status: int, reason: str = "") -> bool:
    return status >= 500 or is_rate_limit(status, reason)


def classify(status: int, data: Any) -> str:
    reason = api_error_reason(data)
    if is_rate_limit(status, reason):
        return SLOW_DOWN
    return TRY_AGAIN if is_retryable(status, reason) else FINAL
