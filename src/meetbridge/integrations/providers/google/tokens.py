"""Access tokens, cached per (credential, impersonated person) for the whole process.

A token is reused until shortly before it expires. When several threads need a token for
the same key and person at once, one of them asks Google and the others wait for its answer,
so Google sees one exchange, not a burst.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# Google's tokens live an hour. Renewing a minute early keeps a call started just before expiry
# from arriving with a dead token (a call's read timeout is 30 s; a 401 still renews once), and
# costs 3600/3540 = 1.02 exchanges an hour per person, where five minutes cost 1.09.
RENEW_BEFORE_SECONDS = 60.0


@dataclass(frozen=True)
class CachedToken:
    value: str
    renew_at: float  # on the monotonic clock


def renew_at(now: float, lifetime_seconds: float) -> float:
    margin = min(RENEW_BEFORE_SECONDS, lifetime_seconds / 2)
    return now + max(0.0, lifetime_seconds - margin)


class TokenCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[tuple[str, str], CachedToken] = {}
        self._fetch_locks: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()

    def _fresh(self, key: tuple[str, str]) -> str | None:
        cached = self._tokens.get(key)
        if cached is not None and self._clock() < cached.renew_at:
            return cached.value
        return None

    def get(self, key: tuple[str, str], fetch: Callable[[], tuple[str, float]]) -> str:
        """The cached token for `key`, or a new one from `fetch() -> (token, lifetime_s)`."""
        with self._lock:
            token = self._fresh(key)
            if token is not None:
                return token
            fetch_lock = self._fetch_locks.setdefault(key, threading.Lock())
        with fetch_lock:
            with self._lock:
                token = self._fresh(key)  # another thread may have fetched it meanwhile
            if token is not None:
                return token
            value, lifetime = fetch()
            with self._lock:
                self._tokens[key] = CachedToken(value, renew_at(self._clock(), lifetime))
                self._drop_expired()
            return value

    def forget(self, key: tuple[str, str], value: str | None = None) -> None:
        """Drop a token Google no longer accepts (only that one, if `value` is given)."""
        with self._lock:
            cached = self._tokens.get(key)
            if cached is not None and (value is None or cached.value == value):
                del self._tokens[key]

    def forget_credential(self, credential_key: str) -> None:
        with self._lock:
            for key in [k for k in self._tokens if k[0] == credential_key]:
                del self._tokens[key]

    def _drop_expired(self) -> None:
        # The fetch locks stay: dropping one while a thread holds it would let a second
        # thread fetch the same token concurrently. There is one per person, a small set.
        now = self._clock()
        for key in [k for k, t in self._tokens.items() if t.renew_at <= now]:
            del self._tokens[key]

    def __len__(self) -> int:
        return len(self._tokens)


TOKENS = TokenCache()
