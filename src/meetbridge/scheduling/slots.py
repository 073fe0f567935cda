"""Common free slots of several people: plain data in, sorted slots out. No Django, no network.

The rules, in words (`tests/scheduling/reference.py` implements the same words minute by minute,
and property tests hold this module to it):

- A person is *at work* at instant t when the wall clock in their own zone at t shows a weekday
  and time inside their working hours. A range whose end is not after its start runs overnight,
  until the clock shows the end time on the next day; "24:00" ends a range at midnight.
- Daylight-saving time follows from reading the wall clock:
  * local times skipped when clocks go forward do not exist, so a range starting inside the gap
    starts when the clocks jump (e.g. 02:30-04:00 on a spring-forward night at 02:00 starts at
    03:00), and a range lying wholly inside the gap gives no working time that day;
  * local times repeated when clocks go back happen twice, and both passes count: 00:30-01:30 on
    a fall-back night at 02:00 gives 00:30-01:30 and, after the clocks go back, 01:00-01:30
    again.
  An ordinary 09:00-17:00 day is therefore 8 hours of real time on every day of the year, unless
  the zone changes its clocks inside working hours.
- Busy intervals are half-open `[start, end)` in UTC: a busy block that ends exactly when a slot
  starts, or starts exactly when it ends, does not collide with it.
- A slot `[t, t + duration)` is offered when everyone is at work and not busy during all of it, it
  lies inside the query window, t is at least `now + min_notice`, and the caller's wall clock at t
  shows whole minutes that are a multiple of `interval` counted from the top of the hour (with a
  15-minute interval: :00, :15, :30, :45). In a repeated hour both passes are candidates.

How it is fast: everything is intervals of UTC epoch seconds. Each distinct (zone, working hours)
pattern becomes its working spans once; the spans of all patterns are intersected, then each
person's busy time is cut out with one linear pass over their sorted busy list, dropping free
pieces too short for the meeting, and stopping as soon as nothing is left. Slot starts are then
enumerated arithmetically inside each free piece.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from meetbridge.scheduling.rules import (
    DAYS,
    INTERVALS,
    MINUTES_PER_DAY,
    parse_clock,
    range_length,
)

Span = tuple[float, float]  # [start, end) in UTC epoch seconds
Segment = tuple[int, int, int]  # [start, end) in UTC epoch seconds, and the UTC offset in seconds

DAY = 24 * 3600
WEEK = 7 * DAY
# 1969-12-29, a Monday, in epoch seconds: local weeks are counted from there.
FIRST_MONDAY = -3 * DAY
# Offsets are sampled this far apart and each change is then located to the second. No zone in
# the tz database changes its offset twice within three hours, so no change goes unseen.
PROBE_STEP = 3 * 3600
ALLOWED_INTERVALS = INTERVALS


@dataclass(frozen=True)
class Participant:
    """One person: IANA zone, weekly working hours, and busy time as UTC epoch-second pairs.

    `busy` may be in any order and may overlap.
    """

    time_zone: str
    working_hours: Mapping[str, Sequence[Sequence[str]]]
    busy: Sequence[Span] = ()


@dataclass(frozen=True)
class SlotQuery:
    start: datetime  # timezone-aware
    end: datetime
    duration_minutes: int
    time_zone: str  # the caller's: slot starts are aligned on their wall clock
    now: datetime
    interval_minutes: int = 15
    min_notice_minutes: int = 0


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime  # UTC
    end: datetime


def to_span(start: datetime, end: datetime) -> Span:
    """A busy interval given as aware datetimes, in the epoch seconds this module works with."""
    return (start.timestamp(), end.timestamp())


def common_slots(people: Sequence[Participant], query: SlotQuery) -> list[Slot]:
    """Every slot in which all `people` are at work and free, sorted by start."""
    return slots_of(common_slot_spans(people, query))


def slots_of(spans: Iterable[tuple[int, int]]) -> list[Slot]:
    """[start, end) UTC epoch seconds as Slots of aware UTC datetimes."""
    return [
        Slot(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC))
        for start, end in spans
    ]


def common_slot_spans(people: Sequence[Participant], query: SlotQuery) -> list[tuple[int, int]]:
    """`common_slots` as [start, end) UTC epoch seconds: what answers are built from, without
    making two datetimes per slot."""
    if not people:
        raise ValueError("common_slots needs at least one participant.")
    if query.interval_minutes not in ALLOWED_INTERVALS:
        raise ValueError(f"interval_minutes must be one of {ALLOWED_INTERVALS}.")
    if query.duration_minutes <= 0:
        raise ValueError("duration_minutes must be positive.")
    duration = query.duration_minutes * 60
    earliest = query.now + timedelta(minutes=query.min_notice_minutes)
    lo = math.ceil(max(query.start, earliest).timestamp())
    hi = math.floor(query.end.timestamp())
    if hi - lo < duration:
        return []
    free = common_free_spans(people, lo, hi, duration)
    starts = aligned_starts(
        free, duration, query.interval_minutes * 60, offset_segments(query.time_zone, lo, hi)
    )
    return [(t, t + duration) for t in starts]


def common_free_spans(
    people: Sequence[Participant], lo: int, hi: int, min_length: int
) -> list[Span]:
    """Time in [lo, hi) when everyone is at work and free, in pieces at least `min_length` long."""
    free: list[Span] = [(lo, hi)]
    patterns = {(p.time_zone, hours_key(p.working_hours)) for p in people}
    for zone, hours in patterns:
        free = intersect(free, working_spans(zone, hours, lo, hi), min_length)
        if not free:
            return []
    for person in people:
        free = subtract(free, person.busy, min_length)
        if not free:
            return []
    return free


def hours_key(hours: Mapping[str, Sequence[Sequence[str]]]) -> tuple:
    return tuple((day, tuple(tuple(r) for r in hours.get(day) or ())) for day in DAYS)


@lru_cache(maxsize=4096)
def weekly_spans(hours: tuple) -> tuple[tuple[int, int], ...]:
    """Working hours as merged [start, end) seconds after Monday 00:00 local, within one week.

    A Sunday range running past midnight is split: its tail lands at the start of the week.
    """
    spans = []
    for index, (_, ranges) in enumerate(hours):
        for first, last in ranges:
            start = parse_clock(first, where="working hours")
            end = parse_clock(last, where="working hours")
            week_start = index * MINUTES_PER_DAY + start
            week_end = week_start + range_length(start, end)
            spans.append((week_start * 60, min(week_end, 7 * MINUTES_PER_DAY) * 60))
            if week_end > 7 * MINUTES_PER_DAY:
                spans.append((0, (week_end - 7 * MINUTES_PER_DAY) * 60))
    return tuple(merge(spans))


def working_spans(zone: str, hours: tuple, lo: int, hi: int) -> list[Span]:
    """When the wall clock in `zone` shows working hours, within [lo, hi), as UTC spans.

    Inside one offset segment local time is UTC plus a constant, so the weekly pattern is laid
    on the segment's local span and shifted back to UTC; local times skipped or repeated at a
    change of offset fall out of the segment boundaries by themselves.
    """
    weekly = weekly_spans(hours)
    spans: list[Span] = []
    for seg_start, seg_end, offset in offset_segments(zone, lo, hi):
        local_lo, local_hi = seg_start + offset, seg_end + offset
        first_week = (local_lo - FIRST_MONDAY) // WEEK
        last_week = (local_hi - FIRST_MONDAY) // WEEK
        for week in range(first_week, last_week + 1):
            base = FIRST_MONDAY + week * WEEK
            for start, end in weekly:
                begin, finish = max(base + start, local_lo), min(base + end, local_hi)
                if begin < finish:
                    spans.append((begin - offset, finish - offset))
    return merge(spans)


def offset_segments(zone: str, lo: int, hi: int) -> list[Segment]:
    """[lo, hi) cut where `zone` changes its UTC offset, each piece with its offset."""
    day_lo, day_hi = lo - lo % DAY, hi - hi % DAY + DAY  # whole days, so repeated calls share
    return [
        (max(start, lo), min(end, hi), offset)
        for start, end, offset in _offset_segments(zone, day_lo, day_hi)
        if start < hi and end > lo
    ]


@lru_cache(maxsize=1024)
def _offset_segments(zone_name: str, lo: int, hi: int) -> tuple[Segment, ...]:
    zone = ZoneInfo(zone_name)

    def offset_at(t: int) -> int:
        return int(datetime.fromtimestamp(t, zone).utcoffset().total_seconds())

    segments = []
    start, offset = lo, offset_at(lo)
    previous = lo
    for probe in [*range(lo + PROBE_STEP, hi, PROBE_STEP), hi - 1]:
        if offset_at(probe) == offset:
            previous = probe
            continue
        # The change lies in (previous, probe]: find its first second.
        before, after = previous, probe
        while after - before > 1:
            middle = (before + after) // 2
            if offset_at(middle) == offset:
                before = middle
            else:
                after = middle
        segments.append((start, after, offset))
        start, offset, previous = after, offset_at(after), probe
    segments.append((start, hi, offset))
    return tuple(segments)


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted, with overlapping and touching spans joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def intersect(first: list[Span], second: list[Span], min_length: float) -> list[Span]:
    """Both merged and sorted; the common pieces at least `min_length` long."""
    result = []
    i = j = 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if end - start >= min_length:
            result.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return result


def subtract(free: list[Span], busy: Iterable[Span], min_length: float) -> list[Span]:
    """`free` (merged, sorted) minus `busy` (any order, may overlap), keeping long-enough pieces.

    One pass over the busy list sorted by start: a busy block can only shorten the free piece
    it starts in or ones after it, never one already passed.
    """
    result: list[Span] = []
    pieces = iter(free)
    start, end = next(pieces)
    for busy_start, busy_end in sorted(busy):
        if busy_end <= start or busy_end <= busy_start:  # already passed, or empty
            continue
        while busy_start >= end:  # this piece ends before the busy block: it is final
            if end - start >= min_length:
                result.append((start, end))
            following = next(pieces, None)
            if following is None:
                return result
            start, end = following
        if busy_end <= start:
            continue
        if busy_start - start >= min_length:
            result.append((start, busy_start))
        while busy_end >= end:  # the block covers the rest of this piece, and maybe more
            following = next(pieces, None)
            if following is None:
                return result
            start, end = following
        start = max(start, busy_end)
    if end - start >= min_length:
        result.append((start, end))
    result.extend(piece for piece in pieces if piece[1] - piece[0] >= min_length)
    return result


def aligned_starts(
    free: list[Span], duration: int, step: int, segments: list[Segment]
) -> list[int]:
    """Starts t with [t, t + duration) inside a free piece and the wall clock at t on the grid."""
    starts = []
    for (start, end), (seg_start, seg_end, offset) in itertools.product(free, segments):
        first = max(math.ceil(start), seg_start)
        last = min(math.floor(end) - duration, seg_end - 1)
        if first > last:
            continue
        first += -(first + offset) % step
        starts.extend(range(first, last + 1, step))
    starts.sort()
    return starts


def at_work_throughout(
    time_zone: str,
    working_hours: Mapping[str, Sequence[Sequence[str]]],
    start: datetime,
    end: datetime,
) -> bool:
    """Whether the wall clock in `time_zone` shows working hours during all of [start, end)."""
    lo, hi = math.floor(start.timestamp()), math.ceil(end.timestamp())
    return working_spans(time_zone, hours_key(working_hours), lo, hi) == [(lo, hi)]
