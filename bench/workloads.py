"""Synthetic calendars for the benchmarks: reproducible (seeded) and with common free time left.

Every person works Monday to Friday 08:00-18:00 in one of four zones, and has ten 30-minute busy
blocks a day inside their working day; two UTC hours a day are kept free for everyone, so the
common free time never runs out early and every busy list is read to its end.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from meetbridge.scheduling.slots import Participant

ZONES = ("America/Toronto", "Europe/Paris", "America/New_York", "Europe/London")
WORKING_HOURS = {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
KEPT_FREE_UTC_HOURS = (13, 15)  # inside everyone's working day in these zones, all year
HALF_HOUR = 1800


def window_start() -> datetime:
    """Next Monday 00:00 UTC, at least a week ahead, so slots are in the future."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 + (7 - today.weekday()) % 7)


def busy_day(rng: random.Random, zone: ZoneInfo, day: datetime, blocks: int) -> list[tuple]:
    """`blocks` half-hours inside the person's 08:00-18:00 that day, none in the kept-free hours."""
    local_day = day.astimezone(zone).replace(hour=8, minute=0)
    candidates = []
    for n in range(20):
        start = local_day + timedelta(seconds=n * HALF_HOUR)
        if start.astimezone(UTC).hour not in KEPT_FREE_UTC_HOURS:
            candidates.append(int(start.timestamp()))
    return [
        (t, t + HALF_HOUR) for t in sorted(rng.sample(candidates, min(blocks, len(candidates))))
    ]


def people(count: int, days: int, blocks_per_day: int = 10, seed: int = 5) -> list[Participant]:
    rng = random.Random(seed)
    first = window_start()
    result = []
    for n in range(count):
        zone_name = ZONES[n % len(ZONES)]
        zone = ZoneInfo(zone_name)
        busy = []
        for d in range(days):
            busy.extend(busy_day(rng, zone, first + timedelta(days=d), blocks_per_day))
        result.append(Participant(zone_name, WORKING_HOURS, busy))
    return result
