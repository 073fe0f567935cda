"""Scheduling rules per person, as pure functions: no database, no network."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from meetbridge.scheduling.limits import (
    NO_RULES,
    PersonSchedule,
    SchedulingRules,
    check_fits,
    check_rules,
    full_days,
    padded,
)
from meetbridge.scheduling.slots import Participant, SlotQuery, common_slots, to_span
from meetbridge.tenants.rules import RuleViolation

WEEK = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
MONDAY = datetime(2030, 6, 3, tzinfo=UTC)  # a Monday


def at(hour: int, minute: int = 0, day: datetime = MONDAY) -> datetime:
    return day.replace(hour=hour, minute=minute)


def starts(busy, rules=NO_RULES, duration=30):
    person = Participant("UTC", WEEK, padded([to_span(*b) for b in busy], rules))
    query = SlotQuery(at(9), at(12), duration, "UTC", now=MONDAY - timedelta(days=1))
    return [s.start.strftime("%H:%M") for s in common_slots([person], query)]


def test_a_buffer_hides_the_slots_next_to_a_busy_time():
    busy = [(at(10), at(11))]
    assert starts(busy) == ["09:00", "09:15", "09:30", "11:00", "11:15", "11:30"]
    rules = SchedulingRules(buffer_before_minutes=15, buffer_after_minutes=30)
    # after: nothing ends less than 30 min before 10:00; before: nothing starts before 11:15
    assert starts(busy, rules) == ["09:00", "11:15", "11:30"]


def test_a_day_that_holds_the_most_meetings_is_full_on_the_local_clock():
    rules = SchedulingRules(max_meetings_per_day=2)
    meetings = [at(23, 30), at(10)]  # 23:30 UTC Monday is Tuesday morning in Tokyo
    assert full_days(meetings, "UTC", rules) == [date(2030, 6, 3)]
    assert full_days(meetings, "Asia/Tokyo", rules) == []
    assert full_days(meetings, "UTC", NO_RULES) == []


def test_rules_are_checked_and_a_field_left_out_stays():
    current = SchedulingRules(buffer_before_minutes=10, max_meetings_per_day=4)
    changed = check_rules({"buffer_after_minutes": 5}, current)
    assert changed == SchedulingRules(10, 5, 0, 4)
    assert check_rules({"max_meetings_per_day": 0}, current).max_meetings_per_day is None
    for bad in (
        {"buffer_before_minutes": 121},
        {"minimum_notice_minutes": -5},
        {"max_meetings_per_day": True},
        {"buffer_after_minutes": "10"},
    ):
        with pytest.raises(RuleViolation) as refused:
            check_rules(bad)
        assert refused.value.code == "invalid_scheduling_rule"


def person(**rules) -> PersonSchedule:
    starts_ = rules.pop("meeting_starts", ())
    return PersonSchedule(
        "cy@acme.test", "Cy", "Europe/Paris", WEEK, SchedulingRules(**rules), starts_
    )


def test_a_meeting_must_suit_working_hours_notice_and_the_day_s_count():
    now = MONDAY - timedelta(days=1)
    check_fits([person()], at(8), at(9), now=now)  # 10:00-11:00 Paris
    with pytest.raises(RuleViolation) as late:
        check_fits([person()], at(15, 30), at(16, 30), now=now)  # runs past 17:00 Paris
    assert late.value.code == "outside_working_hours"
    assert "Cy's working hours (Europe/Paris)" in late.value.message
    with pytest.raises(RuleViolation) as soon:
        check_fits([person(minimum_notice_minutes=2 * 24 * 60)], at(8), at(9), now=now)
    assert soon.value.code == "notice_too_short"
    with pytest.raises(RuleViolation) as full:
        check_fits([person(max_meetings_per_day=1, meeting_starts=[at(13)])], at(8), at(9), now=now)
    assert full.value.code == "day_full"
