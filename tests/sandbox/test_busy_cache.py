"""Kept expansions answer what a fresh expansion answers, whatever was asked before."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from workspace_sandbox import recurrence
from workspace_sandbox.busy import _scan, busy_periods, occurrences
from workspace_sandbox.timeutil import event_time, format_in_zone

TORONTO = ZoneInfo("America/Toronto")
OWNER = "ana@acme.test"


def expanded_afresh(event: dict, calendar_zone: ZoneInfo, window) -> list:
    """Occurrences overlapping the window, from a full expansion: nothing kept."""
    start = event_time(event["start"], calendar_zone)[0]
    length = event_time(event["end"], calendar_zone)[0] - start
    lines = event.get("recurrence") or []
    return [
        (begin, begin + length)
        for begin in recurrence.starts(lines, start, window[1])
        if begin + length > window[0]
    ]


def text(periods) -> list[tuple[str, str]]:
    """Wall clock and offset of each end: equal texts are equal instants, read alike."""
    return [(s.isoformat(), e.isoformat()) for s, e in periods]


def busy_text(events, window) -> list[tuple[str, str]]:
    return [
        (format_in_zone(s, UTC), format_in_zone(e, UTC))
        for s, e in busy_periods(events, OWNER, TORONTO, window)
    ]


# Around Toronto's and Paris's 2030 clock changes, at times that are skipped or repeated.
first_starts = st.builds(
    lambda month, day, hour, minute: datetime(2030, month, 1, hour, minute) + timedelta(days=day),
    st.sampled_from([3, 4, 10, 11]),
    st.integers(0, 30),
    st.sampled_from([0, 1, 2, 9, 23]),
    st.sampled_from([0, 30]),
)
zones = st.sampled_from(["America/Toronto", "Europe/Paris", "Australia/Lord_Howe", "UTC"])
rules = st.builds(
    lambda freq, interval, days, limit: ";".join(
        [f"RRULE:FREQ={freq}", f"INTERVAL={interval}"]
        + ([f"BYDAY={','.join(days)}"] if freq in ("DAILY", "WEEKLY") and days else [])
        + ([limit] if limit else [])
    ),
    st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]),
    st.integers(1, 3),
    st.lists(st.sampled_from(list(recurrence.WEEKDAYS)), max_size=3, unique=True),
    st.sampled_from(
        [None, "COUNT=1", "COUNT=7", "COUNT=60", "UNTIL=20301105T063000Z", "UNTIL=20310310"]
    ),
)
windows = st.lists(
    st.tuples(
        st.integers(-30 * 24 * 60, 900 * 24 * 60),  # minutes from 2030-03-01
        st.integers(1, 90 * 24 * 60),  # length in minutes
        st.sampled_from([UTC, timezone(timedelta(hours=-5)), TORONTO]),
    ),
    min_size=1,
    max_size=6,
)


def as_window(minutes: int, length: int, tz) -> tuple[datetime, datetime]:
    start = (datetime(2030, 3, 1, tzinfo=UTC) + timedelta(minutes=minutes)).astimezone(tz)
    return start, start + timedelta(minutes=length)


@settings(max_examples=300, deadline=None)
@given(
    first=first_starts,
    zone_name=zones,
    minutes=st.sampled_from([0, 30, 90, 26 * 60, 8 * 24 * 60]),
    rule=st.none() | rules,
    excluded_days=st.lists(st.integers(0, 40), max_size=3),
    asked=windows,
)
def test_kept_expansions_answer_what_a_fresh_expansion_answers(
    first, zone_name, minutes, rule, excluded_days, asked
):
    wall = lambda moment: moment.strftime("%Y%m%dT%H%M%S")  # noqa: E731
    lines = [rule] if rule else []
    if excluded_days:
        moments = [wall(first + timedelta(days=d)) for d in excluded_days]
        lines.append(f"EXDATE;TZID={zone_name}:{','.join(moments)}")
    event = {
        "start": {"dateTime": first.isoformat(), "timeZone": zone_name},
        "end": {
            "dateTime": (first + timedelta(minutes=minutes)).isoformat(),
            "timeZone": zone_name,
        },
        "recurrence": lines,
    }
    # Windows in any order: further than any before (past the kept horizon), then back again.
    for window in [as_window(*w) for w in asked]:
        kept = occurrences(event, TORONTO, window)
        assert text(kept) == text(expanded_afresh(event, TORONTO, window))


@settings(max_examples=50, deadline=None)
@given(day=st.integers(0, 400), rule=st.none() | rules, asked=windows)
def test_all_day_events_too(day, rule, asked):
    first = datetime(2030, 3, 1) + timedelta(days=day)
    event = {
        "start": {"date": first.date().isoformat()},
        "end": {"date": (first + timedelta(days=1)).date().isoformat()},
        "recurrence": [rule] if rule else [],
    }
    for window in [as_window(*w) for w in asked]:
        kept = occurrences(event, TORONTO, window)
        assert text(kept) == text(expanded_afresh(event, TORONTO, window))


FORTNIGHT = (datetime(2030, 1, 7, tzinfo=UTC), datetime(2030, 1, 21, tzinfo=UTC))


def weekly_standup() -> dict:
    return {
        "status": "confirmed",
        "start": {"dateTime": "2030-01-07T09:00:00", "timeZone": "America/Toronto"},
        "end": {"dateTime": "2030-01-07T09:30:00", "timeZone": "America/Toronto"},
        "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO"],
        "attendees": [{"email": OWNER, "responseStatus": "accepted"}],
    }


def test_changes_made_in_place_show_in_the_next_answer():
    event = weekly_standup()
    assert busy_text([event], FORTNIGHT) == [
        ("2030-01-07T14:00:00Z", "2030-01-07T14:30:00Z"),
        ("2030-01-14T14:00:00Z", "2030-01-14T14:30:00Z"),
    ]
    event["start"]["dateTime"], event["end"]["dateTime"] = "2030-01-07T10:00", "2030-01-07T11:00"
    assert busy_text([event], FORTNIGHT) == [
        ("2030-01-07T15:00:00Z", "2030-01-07T16:00:00Z"),
        ("2030-01-14T15:00:00Z", "2030-01-14T16:00:00Z"),
    ]
    event["recurrence"].append("EXDATE;TZID=America/Toronto:20300114T100000")
    assert busy_text([event], FORTNIGHT) == [("2030-01-07T15:00:00Z", "2030-01-07T16:00:00Z")]
    event["recurrence"][0] = "RRULE:FREQ=DAILY;COUNT=2"
    assert busy_text([event], FORTNIGHT) == [
        ("2030-01-07T15:00:00Z", "2030-01-07T16:00:00Z"),
        ("2030-01-08T15:00:00Z", "2030-01-08T16:00:00Z"),
    ]
    event["recurrence"][1] = "EXDATE;TZID=America/Toronto:20300107T100000"
    assert busy_text([event], FORTNIGHT) == [("2030-01-08T15:00:00Z", "2030-01-08T16:00:00Z")]
    event["attendees"][0]["responseStatus"] = "declined"
    assert busy_text([event], FORTNIGHT) == []
    event["attendees"][0]["responseStatus"] = "tentative"
    event["status"] = "cancelled"
    assert busy_text([event], FORTNIGHT) == []


def test_an_event_changed_back_answers_as_before():
    event = weekly_standup()
    before = busy_text([event], FORTNIGHT)
    changed = copy.deepcopy(event)
    changed["start"]["timeZone"] = changed["end"]["timeZone"] = "Europe/Paris"
    assert busy_text([changed], FORTNIGHT) != before
    assert busy_text([event], FORTNIGHT) == before


def test_a_repeated_wall_clock_time_is_written_as_the_instant_it_is():
    # 01:30 happens twice in Toronto on 2030-11-03: first in daylight time, then in standard.
    first = datetime(2030, 11, 3, 1, 30, tzinfo=TORONTO)
    second = first.replace(fold=1)
    assert first == second  # one zone: Python compares the wall clocks
    assert format_in_zone(first, UTC) == "2030-11-03T05:30:00Z"
    assert format_in_zone(second, UTC) == "2030-11-03T06:30:00Z"
    assert format_in_zone(second, TORONTO) == "2030-11-03T01:30:00-05:00"
    assert format_in_zone(first, ZoneInfo("Europe/Paris")) == "2030-11-03T06:30:00+01:00"
    assert format_in_zone(first.replace(microsecond=999_999), UTC) == "2030-11-03T05:30:00Z"


MONDAY = datetime(2030, 1, 14, 14, tzinfo=UTC)  # the standup's second start
ENDS_AT_START = (MONDAY - timedelta(days=7, minutes=-30), MONDAY)  # from one's end to the next


def test_occurrences_touching_the_window_are_outside_it():
    event = weekly_standup()
    for _ in range(2):  # expanding, then kept
        assert occurrences(event, TORONTO, ENDS_AT_START) == []
        touching_both = (ENDS_AT_START[0], MONDAY + timedelta(minutes=30))
        assert [s.day for s, _ in occurrences(event, TORONTO, touching_both)] == [14]


@settings(max_examples=100, deadline=None)
@given(rule=rules, asked=windows)
def test_the_scan_kept_for_out_of_order_series_finds_what_bisection_finds(rule, asked):
    # No zone's clocks have jumped by more than a day, so the scan is exercised on its own.
    event = weekly_standup() | {"recurrence": [rule]}
    for window in [ENDS_AT_START, *(as_window(*w) for w in asked)]:
        found = occurrences(event, TORONTO, window)
        first = event_time(event["start"], TORONTO)[0]
        starts = tuple(recurrence.starts([rule], first, window[1] + timedelta(days=100)))
        ends = tuple(s + timedelta(minutes=30) for s in starts)
        assert text(_scan(starts, ends, window)) == text(found)
