"""One table from a calendar provider's failure to the HTTP status every route answers with.

Provider-neutral: availability, booking, rescheduling, cancelling and reading a meeting all
go through `http_status`, whichever calendar system (Google, Microsoft) failed. Pure.

Over a limit (the provider's rate limit or usage quota) is 429 with `Retry-After`: the caller
should slow down, and nothing is wrong with the setup. The provider's own trouble (unreachable,
its 5xx, a token it refused twice) is 503, also with `Retry-After`. A refusal that needs an admin (delegation, API
switched off, a bad key) is 502: the upstream refused, and waiting alone may not help.
"""

from __future__ import annotations

import math

from meetbridge.integrations.provider import ProviderError

STATUS_BY_CODE = {
    "calendar_not_connected": 409,
    "not_found": 404,
    "conflict": 409,
    "invalid_request": 422,
    "range_too_long": 422,
    "rate_limited": 429,
    "quota_exceeded": 429,
    "unreachable": 503,
    "google_error": 503,
    "microsoft_error": 503,
    "provider_error": 503,
    "token_rejected": 503,
}
SETUP_PROBLEM_STATUS = 502

# When the provider named no time: a per-minute rate limit lifts within the minute; a usage
# quota (changes per day) is not worth trying again within the hour.
DEFAULT_RETRY_AFTER_SECONDS = {"rate_limited": 30, "quota_exceeded": 3600}
# The provider unreachable or failing (503 here): as the outage answers do when our own
# database is down, a short wait before trying again.
PROVIDER_TROUBLE_RETRY_AFTER_SECONDS = 5


def http_status(error: ProviderError) -> int:
    return STATUS_BY_CODE.get(error.code, SETUP_PROBLEM_STATUS)


def is_over_limit(error: ProviderError) -> bool:
    return http_status(error) == 429


def is_provider_trouble(error: ProviderError) -> bool:
    """The provider's own trouble or a limit (429/503 here), not a problem with the setup:
    it never takes a working integration down."""
    return http_status(error) in (429, 503)


def retry_after_seconds(error: ProviderError) -> int | None:
    """Whole seconds for a `Retry-After` header: for an over-limit failure or the provider's
    own trouble (the time the provider named, else a default); None for anything waiting
    alone does not fix."""
    if not is_provider_trouble(error):
        return None
    given = getattr(error, "retry_after", None)
    if given is not None and given > 0:
        return max(1, math.ceil(given))
    if not is_over_limit(error):
        return PROVIDER_TROUBLE_RETRY_AFTER_SECONDS
    return DEFAULT_RETRY_AFTER_SECONDS.get(error.code, 30)


def retry_headers(error: ProviderError) -> dict[str, str]:
    seconds = retry_after_seconds(error)
    return {} if seconds is None else {"Retry-After": str(seconds)}
