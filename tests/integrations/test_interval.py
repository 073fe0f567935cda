"""An interval's epoch seconds are read once and change nothing else about it."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import UTC, datetime, timedelta, timezone

from meetbridge.integrations.provider import Interval

START = datetime(2030, 1, 7, 9, 30, tzinfo=timezone(timedelta(hours=1)))


def test_seconds_are_the_instants_timestamps_whatever_the_offset():
    interval = Interval(START, START + timedelta(minutes=45))
    assert interval.seconds == (START.timestamp(), START.timestamp() + 45 * 60)
    assert interval.seconds == (
        datetime(2030, 1, 7, 8, 30, tzinfo=UTC).timestamp(),
        datetime(2030, 1, 7, 9, 15, tzinfo=UTC).timestamp(),
    )


def test_reading_them_leaves_equality_hashing_and_copies_alone():
    read = Interval(START, START + timedelta(hours=1))
    assert read.seconds is read.seconds  # worked out once
    fresh = Interval(START, START + timedelta(hours=1))
    assert read == fresh and hash(read) == hash(fresh)
    assert dataclasses.asdict(read) == {"start": read.start, "end": read.end}
    moved = dataclasses.replace(read, end=START + timedelta(hours=2))
    assert moved.seconds[1] == START.timestamp() + 7200
    assert pickle.loads(pickle.dumps(read)).seconds == read.seconds
