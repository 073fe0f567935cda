"""Many UTC instants as ISO 8601 text on one zone's wall clock: plain data in, text out.

An answer of availability carries up to thousands of slot starts and ends. Making a datetime
of each, moving it to the zone and writing it out costs several milliseconds per answer; here
each offset segment of the zone (`slots.offset_segments`) and each local day is worked out once,
and every instant is then a few integer operations. The text is exactly what
`datetime.fromtimestamp(t, ZoneInfo(zone)).isoformat()` writes (tests hold it to that).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

from meetbridge.scheduling.slots import DAY, offset_segments

EPOCH_DAY = date(1970, 1, 1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def local_isoformats(instants: Sequence[int], zone: str) -> list[str]:
    """Each whole UTC epoch second in `instants` as the wall-clock text of `zone`."""
    if not instants:
        return []
    segments = offset_segments(zone, min(instants), max(instants) + 1)
    starts = [start for start, _, _ in segments]
    days: dict[int, str] = {}  # local day -> "YYYY-MM-DDT"
    texts = []
    lo = hi = offset = 0
    suffix = ""
    for instant in instants:
        if not lo <= instant < hi:  # another offset segment: rare, as instants come sorted
            lo, hi, offset = segments[bisect.bisect_right(starts, instant) - 1]
            suffix = _offset_text(offset)
        day, second = divmod(instant + offset, DAY)
        prefix = days.get(day)
        if prefix is None:
            prefix = days[day] = (EPOCH_DAY + timedelta(days=day)).isoformat() + "T"
        texts.append(
            prefix + (CLOCKS[second // 60] if second % 60 == 0 else _clock(second)) + suffix
        )
    return texts


def _clock(second: int) -> str:
    hour, rest = divmod(second, 3600)
    return f"{hour:02d}:{rest // 60:02d}:{rest % 60:02d}"


CLOCKS = [_clock(minute * 60) for minute in range(24 * 60)]  # every whole minute of a day


@lru_cache(maxsize=256)
def _offset_text(offset: int) -> str:
    """A UTC offset in seconds as isoformat writes it ("-05:00", "+05:45", "+00:00")."""
    return EPOCH.astimezone(timezone(timedelta(seconds=offset))).isoformat()[19:]
