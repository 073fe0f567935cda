"""The re-check schedule of a failed integration that can heal by itself."""

from __future__ import annotations

from datetime import timedelta

import pytest

from meetbridge.integrations.schedule import recheck_delay, recheck_plan


def test_first_rechecks_come_after_1_5_15_and_60_minutes():
    assert [recheck_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(minutes=60),
    ]


def test_then_hourly():
    assert recheck_delay(5) == recheck_delay(10) == timedelta(hours=1)


def test_rechecks_stop_after_a_day():
    plan = recheck_plan()
    assert sum(plan, timedelta()) <= timedelta(hours=24)
    assert sum(plan, timedelta()) > timedelta(hours=23)
    assert recheck_delay(len(plan) + 1) is None
    assert recheck_delay(1000) is None


def test_counts_start_at_one():
    with pytest.raises(ValueError):
        recheck_delay(0)
