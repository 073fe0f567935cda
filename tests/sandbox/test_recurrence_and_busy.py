"""Pure pieces of the sandbox: recurrence expansion, busy computation, id rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workspace_sandbox import recurrence
from workspace_sandbox.busy import blocks_time, busy_periods, merge
from workspace_sandbox.ids import is_valid_event_id, new_event_id

TORONTO = ZoneInfo("America/Toronto")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TORONTO)


def starts(lines, first, until=None):
    return list(recurrence.starts(lines, first, until or utc(2031, 1, 1)))


def test_weekly_by_day_with_count_starts_at_the_first_occurrence():
    # 2030-01-07 is a Monday.
    got = starts(["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4"], local(2030, 1, 7, 9))
    assert [d.day for d in got] == [7, 9, 14, 16]


def test_weekly_every_other_week_until_is_inclusive():
    got = starts(["RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20300121T140000Z"], local(2030, 1, 7, 9))
    assert [d.day for d in got] == [7, 21]


def test_daily_by_day_skips_weekends():
    got = starts(["RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=6"], local(2030, 1, 10, 9))
    assert [d.strftime("%a %d") for d in got] == [
        "Thu 10",
        "Fri 11",
        "Mon 14",
        "Tue 15",
        "Wed 16",
        "Thu 17",
    ]


def test_daily_until_a_date():
    got = starts(["RRULE:FREQ=DAILY;INTERVAL=3;UNTIL=20300110"], local(2030, 1, 1, 9))
    assert [d.day for d in got] == [1, 4, 7, 10]


def test_wall_clock_time_is_kept_across_daylight_saving():
    # Toronto moves to daylight time on 2030-03-10: 09:00 stays 09:00 local, so UTC shifts.
    got = starts(["RRULE:FREQ=WEEKLY;COUNT=2"], local(2030, 3, 4, 9))
    assert [d.astimezone(UTC).hour for d in got] == [14, 13]


def test_exdate_removes_an_occurrence_but_still_counts():
    lines = ["RRULE:FREQ=DAILY;COUNT=3", "EXDATE;TZID=America/Toronto:20300102T090000"]
    assert [d.day for d in starts(lines, local(2030, 1, 1, 9))] == [1, 3]


def test_monthly_on_the_31st_skips_short_months():
    got = starts(["RRULE:FREQ=MONTHLY;COUNT=3"], local(2030, 1, 31, 9))
    assert [(d.month, d.day) for d in got] == [(1, 31), (3, 31), (5, 31)]


def test_expansion_stops_at_the_window_end_for_endless_rules():
    got = starts(["RRULE:FREQ=DAILY"], local(2030, 1, 1, 9), until=utc(2030, 1, 4))
    assert len(got) == 3


def test_no_rule_means_one_occurrence():
    assert starts([], local(2030, 1, 1, 9)) == [local(2030, 1, 1, 9)]


@pytest.mark.parametrize(
    "line",
    [
        "RRULE:FREQ=HOURLY",
        "RRULE:FREQ=MONTHLY;BYDAY=1MO",
        "RRULE:FREQ=DAILY;COUNT=2;UNTIL=20300101",
        "RRULE:FREQ=WEEKLY;BYDAY=XX",
    ],
)
def test_unsupported_rules_are_refused(line):
    with pytest.raises(ValueError):
        recurrence.validate([line])


def event(start, end, **extra):
    return {"start": start, "end": end, "status": "confirmed", **extra}


def timed(hour, minutes=60, **extra):
    start = local(2030, 1, 7, hour)
    end = start + timedelta(minutes=minutes)
    return event({"dateTime": start.isoformat()}, {"dateTime": end.isoformat()}, **extra)


DAY = (local(2030, 1, 7), local(2030, 1, 8))


def test_transparent_declined_and_cancelled_events_leave_the_owner_free():
    assert not blocks_time(timed(9, transparency="transparent"), "ana@acme.test")
    assert not blocks_time(timed(9, status="cancelled"), "ana@acme.test")
    declined = timed(9, attendees=[{"email": "Ana@acme.test", "responseStatus": "declined"}])
    assert not blocks_time(declined, "ana@acme.test")
    tentative = timed(9, attendees=[{"email": "ana@acme.test", "responseStatus": "tentative"}])
    assert blocks_time(tentative, "ana@acme.test")
    assert blocks_time(timed(9), "ana@acme.test")


def test_busy_periods_merge_overlaps_and_clip_to_the_window():
    events = [timed(9), timed(9, 90), timed(13), timed(23)]
    window = (local(2030, 1, 7, 8), local(2030, 1, 7, 23, 30))
    assert busy_periods(events, "ana@acme.test", TORONTO, window) == [
        (local(2030, 1, 7, 9), local(2030, 1, 7, 10, 30)),
        (local(2030, 1, 7, 13), local(2030, 1, 7, 14)),
        (local(2030, 1, 7, 23), local(2030, 1, 7, 23, 30)),
    ]


def test_all_day_events_are_busy_from_midnight_in_the_calendars_zone():
    all_day = event({"date": "2030-01-07"}, {"date": "2030-01-08"})
    got = busy_periods([all_day], "ana@acme.test", TORONTO, (utc(2030, 1, 6), utc(2030, 1, 9)))
    assert got == [(local(2030, 1, 7), local(2030, 1, 8))]
    assert got[0][0].astimezone(UTC) == utc(2030, 1, 7, 5)


def test_recurring_events_are_expanded_inside_the_window():
    weekly = timed(9, recurrence=["RRULE:FREQ=WEEKLY;BYDAY=MO,TU"])
    weekly["start"]["timeZone"] = "America/Toronto"
    got = busy_periods([weekly], "ana@acme.test", TORONTO, (local(2030, 1, 13), local(2030, 1, 16)))
    assert [s.day for s, _ in got] == [14, 15]


def test_a_datetime_without_offset_is_read_in_its_own_zone():
    floating = event(
        {"dateTime": "2030-01-07T09:00:00", "timeZone": "Europe/Paris"},
        {"dateTime": "2030-01-07T10:00:00", "timeZone": "Europe/Paris"},
    )
    got = busy_periods([floating], "ana@acme.test", TORONTO, (utc(2030, 1, 7), utc(2030, 1, 8)))
    assert got == [(utc(2030, 1, 7, 8), utc(2030, 1, 7, 9))]


def test_merge_joins_touching_periods():
    assert merge(
        [(utc(2030, 1, 1, 10), utc(2030, 1, 1, 11)), (utc(2030, 1, 1, 9), utc(2030, 1, 1, 10))]
    ) == [(utc(2030, 1, 1, 9), utc(2030, 1, 1, 11))]


@pytest.mark.parametrize(
    ("value", "valid"),
    [("abcde", True), ("0123456789abcdefghijklmnopqrstuv", True), ("abcd", False), ("abcdw", False),
     ("ABCDE", False), ("abc-de", False), ("a" * 1024, True), ("a" * 1025, False)],
)  # fmt: skip
def test_event_id_rules(value, valid):
    assert is_valid_event_id(value) is valid


def test_generated_event_ids_follow_the_rules():
    assert all(is_valid_event_id(new_event_id()) for _ in range(50))


moments = st.integers(min_value=0, max_value=48 * 60).map(
    lambda m: utc(2030, 1, 7) + timedelta(minutes=m)
)
periods = st.lists(st.tuples(moments, moments).map(sorted).map(tuple), max_size=12)


@given(periods)
def test_merged_periods_are_sorted_disjoint_and_cover_the_same_time(given_periods):
    merged = merge(given_periods)
    assert all(a[1] < b[0] for a, b in zip(merged, merged[1:], strict=False))
    probes = [utc(2030, 1, 7) + timedelta(minutes=m) for m in range(0, 48 * 60, 7)]
    for probe in probes:
        inside_given = any(s <= probe < e for s, e in given_periods)
        inside_merged = any(s <= probe < e for s, e in merged)
        assert inside_given == inside_merged


@given(
    freq=st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
    interval=st.integers(1, 4),
    count=st.integers(1, 30),
    by_day=st.lists(
        st.sampled_from(list(recurrence.WEEKDAYS)), min_size=1, max_size=7, unique=True
    ),
)
def test_count_gives_exactly_that_many_ascending_occurrences(freq, interval, count, by_day):
    rule = f"RRULE:FREQ={freq};INTERVAL={interval};COUNT={count}"
    if freq == "WEEKLY":
        rule += ";BYDAY=" + ",".join(by_day)
    got = starts([rule], local(2030, 1, 31, 9), until=utc(2100, 1, 1))
    assert len(got) == count
    assert got == sorted(got) and len(set(got)) == count
    assert all(d.hour == 9 for d in got)
