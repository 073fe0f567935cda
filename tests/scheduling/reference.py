"""A brute-force reading of the slot rules, minute by minute, to hold `scheduling.slots` to.

Slow on purpose and written from the rules' words, not from the fast module's method: for every
whole minute it asks each person's wall clock whether they are at work, and each busy list
whether they are busy. Valid for inputs on whole minutes (every zone offset since 1970 is).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from meetbridge.scheduling.rules import DAYS, parse_clock
from meetbridge.scheduling.slots import Participant, SlotQuery


def at_work(local: datetime, hours) -> bool:
    minute = local.hour * 60 + local.minute
    today = DAYS[local.weekday()]
    yesterday = DAYS[(local.weekday() - 1) % 7]
    for first, last in hours.get(today) or ():
        start, end = parse_clock(first, where=""), parse_clock(last, where="")
        if (end > start and start <= minute < end) or (end <= start and minute >= start):
            return True
    for first, last in hours.get(yesterday) or ():
        start, end = parse_clock(first, where=""), parse_clock(last, where="")
        if end <= start and minute < end:  # last night's overnight range
            return True
    return False


def minute_is_free(person: Participant, minute: int) -> bool:
    local = datetime.fromtimestamp(minute, ZoneInfo(person.time_zone))
    if not at_work(local, person.working_hours):
        return False
    return not any(start < minute + 60 and end > minute for start, end in person.busy)


def reference_slots(people: list[Participant], query: SlotQuery) -> list[tuple[int, int]]:
    """(start, end) epoch seconds of every slot, found by trying each whole minute."""
    duration = query.duration_minutes * 60
    earliest = max(query.start, query.now + timedelta(minutes=query.min_notice_minutes))
    first = int(earliest.timestamp() + 59) // 60 * 60
    last = int(query.end.timestamp()) - duration
    window_end = int(query.end.timestamp())
    free = {
        minute: all(minute_is_free(p, minute) for p in people)
        for minute in range(first, window_end, 60)
    }
    caller_zone = ZoneInfo(query.time_zone)
    slots = []
    for start in range(first, last + 1, 60):
        if datetime.fromtimestamp(start, caller_zone).minute % query.interval_minutes:
            continue
        if all(free[m] for m in range(start, start + duration, 60)):
            slots.append((start, start + duration))
    return slots


def as_epoch(slots) -> list[tuple[int, int]]:
    return [(int(s.start.timestamp()), int(s.end.timestamp())) for s in slots]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
