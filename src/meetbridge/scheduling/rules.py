"""Checking a member's time zone and working hours: plain data in, normalised data or a clear error.

No Django here. Working hours are `{"mon": [["09:00", "17:00"]], ...}`: weekday keys `mon`..`sun`,
each a list of local `[start, end]` ranges; a missing or empty day has no working hours. A range
whose end is not after its start runs overnight into the next day (`["22:00", "06:00"]`), and
`"24:00"` may end a range at midnight.
"""

from __future__ import annotations

import itertools
import re
import zoneinfo
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from meetbridge.tenants.rules import RuleViolation

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
MAX_RANGES_PER_DAY = 6
CLOCK_PATTERN = re.compile(r"^(\d{1,2}):(\d{2})$")
# Names zoneinfo knows but that are no place a person lives in.
NOT_A_PLACE = frozenset({"Factory", "localtime", "posixrules"})
REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Arctic/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


def working_hours_error(message: str) -> RuleViolation:
    return RuleViolation("invalid_working_hours", message)


@lru_cache(maxsize=1)
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - NOT_A_PLACE


@lru_cache(maxsize=1)
def time_zone_choices() -> tuple[str, ...]:
    """The zones a person picks from: every `Region/City` name, and UTC."""
    places = sorted(name for name in known_time_zones() if name.startswith(REGIONS))
    return ("UTC", *places)


def _zone_tab_names() -> set[str]:
    """The zones the tz database lists for places (zone.tab: one line per country and
    region); backward-compatible aliases (Asmera, US/Eastern, Etc/GMT+5) are not in it."""
    for folder in zoneinfo.TZPATH:
        try:
            with open(f"{folder}/zone.tab", encoding="utf-8") as table:
                return {
                    line.split("\t")[2].strip()
                    for line in table
                    if line.strip() and not line.startswith("#") and line.count("\t") >= 2
                }
        except OSError:
            continue
    return set()


@lru_cache(maxsize=1)
def canonical_time_zones() -> tuple[str, ...]:
    """The zones a person picks from: the places of zone.tab that zoneinfo knows, and UTC;
    where no zone.tab is found, every Region/City name."""
    places = _zone_tab_names() & known_time_zones()
    if not places:
        return time_zone_choices()
    return ("UTC", *sorted(places))


def check_time_zone(name: Any) -> str:
    """An IANA zone name such as 'Europe/Paris', returned without surrounding blanks."""
    cleaned = name.strip() if isinstance(name, str) else ""
    if cleaned not in known_time_zones():
        shown = name.strip() if isinstance(name, str) else name
        raise RuleViolation(
            "invalid_time_zone",
            f"{shown!r} is not an IANA time zone; use a name such as 'Europe/Paris' or "
            "'America/Toronto'.",
        )
    return cleaned


def parse_clock(text: Any, *, where: str) -> int:
    """'HH:MM' (or 'H:MM') to minutes after midnight; '24:00' is 1440."""
    match = CLOCK_PATTERN.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise working_hours_error(
            f"{where}: {text!r} is not a time; write it as HH:MM, e.g. '09:30'."
        )
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise working_hours_error(
            f"{where}: {text!r} is not a time of day; use 00:00 to 23:59, or 24:00 for midnight "
            "at the end of a range."
        )
    return hours * 60 + minutes


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def range_length(start: int, end: int) -> int:
    """Minutes covered by a local range; an end not after the start runs into the next day."""
    return end - start if end > start else end + MINUTES_PER_DAY - start


def _check_range(day: str, position: int, pair: Any) -> tuple[int, int]:
    where = f"{DAY_NAMES[day]} range {position}"
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        raise working_hours_error(
            f"{where}: each range is a pair [start, end] such as ['09:00', '17:00']."
        )
    start = parse_clock(pair[0], where=where)
    end = parse_clock(pair[1], where=where)
    if start == MINUTES_PER_DAY:
        raise working_hours_error(f"{where}: a range cannot start at 24:00; start it at 00:00.")
    if start == end:
        raise working_hours_error(
            f"{where}: {pair[0]}-{pair[1]} starts and ends at the same time; "
            "for a whole day write ['00:00', '24:00']."
        )
    return start, end


def _check_no_overlap(ranges: list[tuple[str, int, int]]) -> None:
    """Ranges on the weekly timeline (overnight ones spill into the next day) must not overlap."""
    placed = []
    for day, start, end in ranges:
        week_start = DAYS.index(day) * MINUTES_PER_DAY + start
        week_end = week_start + range_length(start, end)
        label = f"{DAY_NAMES[day]} {format_clock(start)}-{format_clock(end)}"
        placed.append((week_start, week_end, label))
        if week_end > MINUTES_PER_WEEK:  # Sunday night running into Monday morning
            placed.append((week_start - MINUTES_PER_WEEK, week_end - MINUTES_PER_WEEK, label))
    placed.sort()
    # Sorted by start, any overlap shows up between neighbours.
    for (_, first_end, first), (second_start, _, second) in itertools.pairwise(placed):
        if second_start < first_end:
            raise working_hours_error(
                f"{first} overlaps {second}; make the ranges separate or join them into one."
            )


def check_working_hours(value: Any) -> dict[str, list[list[str]]]:
    """Validated working hours, normalised: days in week order, ranges sorted, times as HH:MM."""
    if not isinstance(value, dict):
        raise working_hours_error(
            "Working hours are an object of weekdays, e.g. {'mon': [['09:00', '17:00']]}."
        )
    unknown = [key for key in value if key not in DAYS]
    if unknown:
        raise working_hours_error(f"Unknown weekday {unknown[0]!r}; use {', '.join(DAYS)}.")
    checked: dict[str, list[list[str]]] = {}
    every_range: list[tuple[str, int, int]] = []
    for day in DAYS:
        pairs = value.get(day) or []
        if not isinstance(pairs, list):
            raise working_hours_error(
                f"{DAY_NAMES[day]}: give a list of ranges such as [['09:00', '17:00']], "
                "or an empty list for a day off."
            )
        if len(pairs) > MAX_RANGES_PER_DAY:
            raise working_hours_error(
                f"{DAY_NAMES[day]}: at most {MAX_RANGES_PER_DAY} ranges a day."
            )
        ranges = sorted(_check_range(day, n, pair) for n, pair in enumerate(pairs, start=1))
        every_range.extend((day, start, end) for start, end in ranges)
        if ranges:
            checked[day] = [[format_clock(start), format_clock(end)] for start, end in ranges]
    if not every_range:
        raise working_hours_error(
            "Give at least one working range in the week, e.g. {'mon': [['09:00', '17:00']]}."
        )
    _check_no_overlap(every_range)
    return checked


# --- availability requests ---------------------------------------------------------------------

MAX_HORIZON = timedelta(days=62)
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 8 * 60
INTERVALS = (5, 10, 15, 20, 30, 60)
# A '+' sent unencoded in a query string arrives as a space: "09:00:00 02:00".
UNENCODED_PLUS = re.compile(r" (\d{2}:?\d{2})$")


# Far beyond any horizon a request may reach, yet far from the ends of Python's datetime
# (years 1 and 9999), where converting a zone or adding a duration overflows.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999


def check_moment_range(moment: datetime, name: str) -> datetime:
    """Refuses a time so far off that arithmetic on it could overflow; checked before any."""
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise RuleViolation(
            "time_out_of_range",
            f"{name} must be a date between the years {EARLIEST_YEAR} and {LATEST_YEAR}.",
        )
    return moment


def parse_moment(text: Any, name: str) -> datetime:
    """An RFC 3339 time with an offset (or Z)."""
    example = "e.g. 2026-06-15T09:00:00-04:00 or 2026-06-15T13:00:00Z"
    if not isinstance(text, str) or not text.strip() or len(text) > 64:
        raise RuleViolation("invalid_time", f"{name} is required: an RFC 3339 time, {example}.")
    cleaned = UNENCODED_PLUS.sub(r"+\1", text.strip())
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise RuleViolation(
            "invalid_time",
            f"{name} {text.strip()!r} is not an RFC 3339 time; use one like {example}.",
        ) from None
    if moment.tzinfo is None:
        raise RuleViolation(
            "invalid_time", f"{name} {text.strip()!r} has no UTC offset; add one, {example}."
        )
    return check_moment_range(moment, name)


def check_window(start: datetime, end: datetime, now: datetime) -> None:
    if end <= start:
        raise RuleViolation("invalid_window", "end must come after start.")
    if end - start > MAX_HORIZON or end > now + MAX_HORIZON:
        raise RuleViolation(
            "window_too_long",
            f"Availability can be asked for at most {MAX_HORIZON.days} days ahead; "
            "choose an end sooner.",
        )


def check_duration(minutes: int) -> None:
    if not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
        raise RuleViolation(
            "invalid_duration",
            f"duration is in minutes, from {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES} "
            f"(got {minutes}).",
        )


def check_interval(minutes: int) -> None:
    if minutes not in INTERVALS:
        raise RuleViolation(
            "invalid_interval",
            "interval must divide the hour: one of "
            f"{', '.join(str(i) for i in INTERVALS)} minutes (got {minutes}).",
        )
