"""Busy time of one calendar, computed from the events on it (what freeBusy answers)."""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from . import recurrence
from .timeutil import event_time

Period = tuple[datetime, datetime]


def blocks_time(event: dict, owner: str) -> bool:
    """Whether `event`, as it appears on `owner`'s calendar, makes the owner busy.

    Cancelled events, events shown as available (transparent) and invitations the owner declined
    leave the owner free.
    """
    if event.get("status") == "cancelled" or event.get("transparency") == "transparent":
        return False
    owner = owner.lower()
    for attendee in event.get("attendees") or []:
        if attendee.get("email", "").lower() == owner:
            return attendee.get("responseStatus") != "declined"
    return True


def occurrences(event: dict, calendar_zone: ZoneInfo, window: Period) -> list[Period]:
    """Every (start, end) of the event, recurring ones expanded, that overlaps the window."""
    return _series_of(event, calendar_zone).overlapping(window)


_HORIZON_STEP = timedelta(days=64)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_NEVER, _FOREVER = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)


class _Series:
    """One event's occurrences, expanded up to a horizon that only grows; a window is then two
    bisections. Shared between calls, so its expansion is replaced whole, never changed."""

    def __init__(self, start: dict, end: dict, lines: tuple[str, ...], zone: ZoneInfo) -> None:
        self.first = event_time(start, zone)[0]
        self.length = event_time(end, zone)[0] - self.first
        self.lines = list(lines)
        self.recurring = any(line.upper().startswith("RRULE") for line in lines)
        self.expanded: tuple = (_NEVER, (), (), True)  # horizon, starts, ends, ordered

    def overlapping(self, window: Period) -> list[Period]:
        window_start, window_end = window
        horizon, starts, ends, ordered = self.expanded
        if horizon < window_end:
            horizon, starts, ends, ordered = self.expanded = self._expand(window_end)
        if not ordered:
            return _scan(starts, ends, window)
        first = bisect_right(ends, window_start)
        last = bisect_left(starts, window_end, lo=first)
        return list(zip(starts[first:last], ends[first:last], strict=True))

    def _expand(self, until: datetime) -> tuple:
        # Rounded up to a 64-day step, so windows moving by minutes rarely expand again.
        horizon = _EPOCH + -(-(until - _EPOCH) // _HORIZON_STEP) * _HORIZON_STEP
        if not self.recurring:
            horizon = _FOREVER
        starts = tuple(recurrence.starts(self.lines, self.first, horizon))
        ends = tuple(start + self.length for start in starts)
        # Bisection needs starts and ends in order as instants. Starts are a day or more apart,
        # so only clocks jumping forward by more than a day could break that: then, a scan.
        instants = ([s - _EPOCH for s in starts], [e - _EPOCH for e in ends])
        ordered = all(a <= b for seq in instants for a, b in pairwise(seq))
        return horizon, starts, ends, ordered


def _scan(starts: tuple, ends: tuple, window: Period) -> list[Period]:
    """What the bisections find, one occurrence after another."""
    found = []
    for start, end in zip(starts, ends, strict=True):
        if start >= window[1]:
            break
        if end > window[0]:
            found.append((start, end))
    return found


def _series_of(event: dict, calendar_zone: ZoneInfo) -> _Series:
    # The key is made of the event's current values: stored bodies are changed in place, and
    # an edited event simply finds (or makes) another series.
    return _series(
        _time_key(event["start"]),
        _time_key(event["end"]),
        tuple(event.get("recurrence") or ()),
        calendar_zone,
    )


def _time_key(value: dict) -> tuple:
    """What `event_time` reads of a start or end (it reads empty values as absent)."""
    return value.get("date") or None, value.get("dateTime") or None, value.get("timeZone") or None


@functools.lru_cache(maxsize=4096)
def _series(start: tuple, end: tuple, lines: tuple[str, ...], calendar_zone: ZoneInfo) -> _Series:
    return _Series(_time_value(start), _time_value(end), lines, calendar_zone)


def _time_value(key: tuple) -> dict:
    return dict(zip(("date", "dateTime", "timeZone"), key, strict=True))


def merge(periods: Iterable[Period]) -> list[Period]:
    merged: list[list[datetime]] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def busy_periods(
    events: Iterable[dict], owner: str, calendar_zone: ZoneInfo, window: Period
) -> list[Period]:
    """The owner's busy periods inside the window, clipped to it and merged."""
    window_start, window_end = window
    periods = []
    for event in events:
        if not blocks_time(event, owner):
            continue
        for start, end in occurrences(event, calendar_zone, window):
            periods.append((max(start, window_start), min(end, window_end)))
    return [(s, e) for s, e in merge(periods) if s < e]
