"""Per-person backoff after a provider said "over the limit", shared by every thread.

Calendar providers limit calls per impersonated person (Google: 600 a minute). Once one call
for a person is told to slow down, every other call for that person waits out the same pause,
or is refused at once with how long to wait, instead of each retrying into the limit and
prolonging it. Provider-neutral: keyed by (credential, person). Pure apart from a lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 60.0


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
