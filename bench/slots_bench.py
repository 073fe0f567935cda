"""The slot computation alone: plain data in, slots out, timed in this process."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from bench.workloads import people, window_start
from meetbridge.scheduling.slots import Participant, SlotQuery, common_slots


def _query(days: int) -> SlotQuery:
    start = window_start()
    return SlotQuery(
        start=start,
        end=start + timedelta(days=days),
        duration_minutes=30,
        time_zone="America/Toronto",
        now=start - timedelta(days=1),
        interval_minutes=15,
    )


def _timed(run, repeats: int) -> list[float]:
    run()  # warm: zone data and caches loaded
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def measure(count: int, *, days: int = 30, blocks: int = 10, repeats: int = 20) -> dict:
    group = people(count, days, blocks)
    query = _query(days)
    slots = common_slots(group, query)
    computed = _timed(lambda: common_slots(group, query), repeats)

    as_datetimes = [
        [(datetime.fromtimestamp(s, UTC), datetime.fromtimestamp(e, UTC)) for s, e in p.busy]
        for p in group
    ]

    def from_datetimes():
        converted = [
            Participant(
                p.time_zone, p.working_hours, [(s.timestamp(), e.timestamp()) for s, e in b]
            )
            for p, b in zip(group, as_datetimes, strict=True)
        ]
        return common_slots(converted, query)

    with_conversion = _timed(from_datetimes, max(5, repeats // 2))
    return {
        "people": count,
        "days": days,
        "busy_blocks": sum(len(p.busy) for p in group),
        "slots_found": len(slots),
        "ms_p50": statistics.median(computed),
        "ms_max": max(computed),
        "ms_p50_from_datetimes": statistics.median(with_conversion),
    }
