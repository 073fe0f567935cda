"""Access tokens, cached per (credential, impersonated person) for the whole process.

A token is reused until shortly before it expires. When several threads need a token for
the same key and person at once, one of them asks the provider and the others wait for its
answer, so the provider sees one exchange, not a burst.

With a `SharedTokens` store (Redis in production), server processes also share tokens: a
process that has none asks the store before the provider, and one process at a time fetches a
token for a given key and person while the others wait for it in the store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

# Provider tokens live about an hour. Renewing a minute early keeps a call started just before
# expiry from arriving with a dead token (a call's read timeout is 30 s; a 401 still renews once), and
# costs 3600/3540 = 1.02 exchanges an hour per person, where five minutes cost 1.09.
RENEW_BEFORE_SECONDS = 60.0


@dataclass(frozen=True)
class CachedToken:
    value: str
    renew_at: float  # on the monotonic clock


def renew_at(now: float, lifetime_seconds: float) -> float:
    margin = min(RENEW_BEFORE_SECONDS, lifetime_seconds / 2)
    return now + max(0.0, lifetime_seconds - margin)


# How long a process waits for another process's fetch before asking the provider itself.
SHARED_WAIT_SECONDS = 5.0
SHARED_POLL_SECONDS = 0.05


class SharedTokens(Protocol):
    """Tokens shared between processes; times are on the wall clock (seconds since the epoch)."""

    def read(self, key: tuple[str, str]) -> tuple[str, float] | None:
        """(token, renew_at) when the store holds one for `key`."""

    def write(
        self, key: tuple[str, str], token: str, renew_at: float, expires_in: float
    ) -> None: ...

    def claim(self, key: tuple[str, str]) -> bool:
        """True for the one process that may fetch `key` now (the claim lapses by itself)."""

    def release(self, key: tuple[str, str]) -> None: ...

    def discard(self, key: tuple[str, str], token: str | None) -> None: ...


class TokenCache:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._wall_clock = wall_clock
        self._sleep = sleep
        self._tokens: dict[tuple[str, str], CachedToken] = {}
        self._fetch_locks: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()
        self.shared: SharedTokens | None = None

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
            if self.shared is not None:
                return self._get_shared(key, fetch, self.shared)
            value, lifetime = fetch()
            self._keep(key, value, renew_at(self._clock(), lifetime))
            return value

    def _keep(self, key: tuple[str, str], value: str, renew_at_monotonic: float) -> None:
        with self._lock:
            self._tokens[key] = CachedToken(value, renew_at_monotonic)
            self._drop_expired()

    def _adopt(self, key: tuple[str, str], shared: SharedTokens) -> str | None:
        """A fresh token from the shared store, kept locally too; None when it has none."""
        found = shared.read(key)
        if found is None:
            return None
        value, renew_at_wall = found
        remaining = renew_at_wall - self._wall_clock()
        if remaining <= 0:
            return None
        self._keep(key, value, self._clock() + remaining)
        return value

    def _get_shared(
        self, key: tuple[str, str], fetch: Callable[[], tuple[str, float]], shared: SharedTokens
    ) -> str:
        token = self._adopt(key, shared)
        if token is not None:
            return token
        claimed = shared.claim(key)
        if not claimed:
            # Another process is asking the provider right now: wait for its token in the store.
            waited = 0.0
            while waited < SHARED_WAIT_SECONDS:
                self._sleep(SHARED_POLL_SECONDS)
                waited += SHARED_POLL_SECONDS
                token = self._adopt(key, shared)
                if token is not None:
                    return token
        try:
            value, lifetime = fetch()
            renew_in = renew_at(0.0, lifetime)
            self._keep(key, value, self._clock() + renew_in)
            shared.write(key, value, self._wall_clock() + renew_in, lifetime)
            return value
        finally:
            if claimed:
                shared.release(key)

    def forget(self, key: tuple[str, str], value: str | None = None) -> None:
        """Drop a token the provider no longer accepts (only that one, if `value` is given)."""
        with self._lock:
            cached = self._tokens.get(key)
            if cached is not None and (value is None or cached.value == value):
                del self._tokens[key]
        if self.shared is not None:
            self.shared.discard(key, value)

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
