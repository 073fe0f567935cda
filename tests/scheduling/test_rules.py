"""Checking time zones and working hours: accepted input is normalised, the rest told how to fix."""

from __future__ import annotations

import pytest

from meetbridge.scheduling.rules import (
    check_time_zone,
    check_working_hours,
    time_zone_choices,
)
from meetbridge.tenants.rules import RuleViolation


def test_a_known_zone_is_accepted_without_blanks():
    assert check_time_zone(" Europe/Paris ") == "Europe/Paris"
    assert check_time_zone("UTC") == "UTC"


@pytest.mark.parametrize("name", ["Europe/Pari", "", "localtime", "Factory", "../etc/passwd", 5])
def test_an_unknown_zone_is_refused_with_an_example(name):
    with pytest.raises(RuleViolation) as caught:
        check_time_zone(name)
    assert caught.value.code == "invalid_time_zone"
    assert "Europe/Paris" in caught.value.message


def test_the_zone_choices_are_places_and_utc():
    choices = time_zone_choices()
    assert choices[0] == "UTC"
    assert "America/Toronto" in choices and "Asia/Kathmandu" in choices
    assert "localtime" not in choices and "EST5EDT" not in choices


def test_working_hours_are_normalised():
    checked = check_working_hours(
        {"wed": [["13:00", "17:00"], ["9:00", "12:00"]], "mon": [["22:00", "06:00"]], "sat": []}
    )
    assert checked == {
        "mon": [["22:00", "06:00"]],
        "wed": [["09:00", "12:00"], ["13:00", "17:00"]],
    }
    assert list(checked) == ["mon", "wed"]


def test_a_whole_day_and_a_range_to_midnight_are_accepted():
    assert check_working_hours({"sat": [["00:00", "24:00"]], "sun": [["20:00", "24:00"]]}) == {
        "sat": [["00:00", "24:00"]],
        "sun": [["20:00", "24:00"]],
    }


@pytest.mark.parametrize(
    ("hours", "says"),
    [
        ("9-5", "object of weekdays"),
        ({"monday": [["09:00", "17:00"]]}, "Unknown weekday 'monday'; use mon, tue"),
        ({"mon": "09:00-17:00"}, "Monday: give a list of ranges"),
        ({"mon": [["09:00"]]}, "Monday range 1: each range is a pair"),
        ({"mon": [["9am", "17:00"]]}, "Monday range 1: '9am' is not a time; write it as HH:MM"),
        ({"tue": [["09:00", "25:00"]]}, "Tuesday range 1: '25:00' is not a time of day"),
        ({"tue": [["09:60", "17:00"]]}, "'09:60' is not a time of day"),
        ({"wed": [["24:00", "06:00"]]}, "cannot start at 24:00"),
        ({"thu": [["09:00", "09:00"]]}, "starts and ends at the same time"),
        (
            {"fri": [["09:00", "12:00"], ["11:00", "17:00"]]},
            "Friday 09:00-12:00 overlaps Friday 11:00-17:00",
        ),
        (
            {"mon": [["22:00", "06:00"]], "tue": [["05:00", "09:00"]]},
            "Monday 22:00-06:00 overlaps Tuesday 05:00-09:00",
        ),
        (
            {"sun": [["22:00", "06:00"]], "mon": [["05:30", "09:00"]]},
            "Sunday 22:00-06:00 overlaps Monday 05:30-09:00",
        ),
        ({"mon": [["09:00", "17:00"], ["09:00", "17:00"]]}, "overlaps"),
        ({"mon": [], "tue": []}, "at least one working range"),
        ({"mon": [["09:00", "10:00"]] * 7}, "at most 6 ranges a day"),
    ],
)
def test_bad_working_hours_say_what_to_fix(hours, says):
    with pytest.raises(RuleViolation) as caught:
        check_working_hours(hours)
    assert caught.value.code == "invalid_working_hours"
    assert says in caught.value.message
