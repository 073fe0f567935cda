"""How often the sweep comes back to a booking it could not settle, and when it stops. Pure.

A change the calendar keeps refusing is tried again after 1, 2, 4 … minutes (at most an hour
apart). Settling an interrupted change stops after `max_tries` failed tries: it is then shown
to the organizer and the tenant admin instead. Withdrawing an event of a booking that failed
never stops (the calendar must not keep a meeting our database says failed); it only backs off.
"""

from __future__ import annotations

from datetime import timedelta

FIRST_DELAY = timedelta(minutes=1)
LONGEST_DELAY = timedelta(hours=1)
DEFAULT_MAX_TRIES = 8


def delay_after(failed_tries: int) -> timedelta:
    """The wait before the next try, after `failed_tries` (1 or more) tries failed."""
    doubling = min(max(failed_tries, 1) - 1, 16)
    return min(FIRST_DELAY * (2**doubling), LONGEST_DELAY)


def gives_up(failed_tries: int, max_tries: int = DEFAULT_MAX_TRIES) -> bool:
    return failed_tries >= max_tries
