"""Busy time of one calendar, computed from the events on it (what freeBusy answers)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
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


def occurrences(event: dict, calendar_zone: ZoneInfo, window: Period) -> Iterator[Period]:
    """Every (start, end) of the event, recurring ones expanded, that overlaps the window."""
    start, _, _ = event_time(event["start"], calendar_zone)
    end, _, _ = event_time(event["end"], calendar_zone)
    length = end - start
    window_start, window_end = window
    for begin in recurrence.starts(event.get("recurrence") or [], start, window_end):
        if begin + length > window_start:
            yield begin, begin + length


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
