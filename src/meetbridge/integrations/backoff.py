"""Waiting before trying a provider again: the retry policy of one call, and the per-person
pause every thread shares after a provider said "over the limit".

`RetryPolicy` says how often a call is tried and how long it waits in between (exponential,
with jitter, a server's Retry-After honoured up to a bound). Pure.

`PersonBackoff`: calendar providers limit calls per impersonated person or mailbox (Google: 600
a minute; Outlook: per app and mailbox). Once one call for a person is told to slow down, every
other call for that person waits out the same pause, or is refused at once with how long to
wait, instead of each retrying into the limit and prolonging it. Keyed by (credential, person).
Pure apart from a lock.

Provider-neutral: the shared call loop (`integrations/http.py`) applies both.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5  # seconds before the second attempt, doubled each time after
    max_delay: float = 8.0

    @classmethod
    def from_options(cls, options: Mapping[str, Any], prefix: str) -> RetryPolicy:
        """From settings named `{prefix}_RETRY_ATTEMPTS`, `_BASE_SECONDS`, `_MAX_SECONDS`."""
        return cls(
            max_attempts=int(options.get(f"{prefix}_RETRY_ATTEMPTS", 4)),
            base_delay=float(options.get(f"{prefix}_RETRY_BASE_SECONDS", 0.5)),
            max_delay=float(options.get(f"{prefix}_RETRY_MAX_SECONDS", 8.0)),
        )

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


@dataclass
class _Pause:
    until: float
    strikes: int


class PersonBackoff:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._pauses: dict[tuple[str, str], _Pause] = {}
        self._lock = threading.Lock()

    def remaining(self, key: tuple[str, str]) -> float:
        """Seconds before calls for this person should be made again (0: go ahead)."""
        with self._lock:
            pause = self._pauses.get(key)
            return max(0.0, pause.until - self._clock()) if pause else 0.0

    def limited(
        self,
        key: tuple[str, str],
        retry_after: float | None = None,
        first: float = FIRST_PAUSE_SECONDS,
    ) -> float:
        """The provider said over the limit: pause this person, `first` seconds, doubled each
        time in a row (at most a minute). The provider's own Retry-After wins when longer.

        Returns the pause in seconds.
        """
        with self._lock:
            now = self._clock()
            pause = self._pauses.get(key)
            if pause is not None and pause.until > now:
                return pause.until - now  # a concurrent call already paused this person
            strikes = (pause.strikes if pause else 0) + 1
            seconds = min(LONGEST_PAUSE_SECONDS, first * 2 ** (strikes - 1))
            if retry_after is not None:
                seconds = max(seconds, min(retry_after, LONGEST_PAUSE_SECONDS))
            self._pauses[key] = _Pause(now + seconds, strikes)
            return seconds

    def succeeded(self, key: tuple[str, str]) -> None:
        if key in self._pauses:  # read without the lock: the common case costs nothing
            with self._lock:
                self._pauses.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._pauses.clear()


BACKOFF = PersonBackoff()
