"""A person's scheduling rules: buffers around meetings, minimum notice, most meetings a day. Pure.

No Django, no network. Availability and booking (and rescheduling) both go through here, so
what is offered and what is accepted never disagree:

- `buffer_before_minutes` / `buffer_after_minutes` (0-120): a new meeting of this person keeps
  that much time free before its start / after its end. Applied by widening each of the
  person's busy blocks: `[start - after, end + before)`.
- `minimum_notice_minutes`: no meeting of this person starts sooner than this from now.
- `max_meetings_per_day`: on a local day (the person's own zone) that already holds this many
  meetings booked here, nothing more is offered or accepted. None: no limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from meetbridge.scheduling.slots import at_work_throughout
from meetbridge.tenants.rules import RuleViolation

Span = tuple[float, float]  # [start, end) in UTC epoch seconds

MAX_BUFFER_MINUTES = 120
MAX_NOTICE_MINUTES = 14 * 24 * 60
MAX_MEETINGS_PER_DAY = 50
FIELDS = (
    "buffer_before_minutes",
    "buffer_after_minutes",
    "minimum_notice_minutes",
    "max_meetings_per_day",
)


@dataclass(frozen=True)
class SchedulingRules:
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    minimum_notice_minutes: int = 0
    max_meetings_per_day: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in FIELDS}


NO_RULES = SchedulingRules()


def _whole_number(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RuleViolation(
            "invalid_scheduling_rule", f"{name} is a whole number from {low} to {high}."
        )
    return value


def check_rules(changes: Mapping[str, Any], current: SchedulingRules = NO_RULES) -> SchedulingRules:
    """`current` with the given fields changed; a field left out (or None) stays as it was,
    except `max_meetings_per_day`, where 0 removes the limit."""
    values = current.as_dict()
    for name in ("buffer_before_minutes", "buffer_after_minutes"):
        if changes.get(name) is not None:
            values[name] = _whole_number(name, changes[name], 0, MAX_BUFFER_MINUTES)
    if changes.get("minimum_notice_minutes") is not None:
        values["minimum_notice_minutes"] = _whole_number(
            "minimum_notice_minutes", changes["minimum_notice_minutes"], 0, MAX_NOTICE_MINUTES
        )
    if changes.get("max_meetings_per_day") is not None:
        most = _whole_number(
            "max_meetings_per_day (0: no limit)",
            changes["max_meetings_per_day"],
            0,
            MAX_MEETINGS_PER_DAY,
        )
        values["max_meetings_per_day"] = most or None
    return SchedulingRules(**values)


def padded(busy: Iterable[Span], rules: SchedulingRules) -> list[Span]:
    """Busy blocks widened so that a meeting outside them keeps the person's buffers."""
    before, after = rules.buffer_before_minutes * 60, rules.buffer_after_minutes * 60
    if not before and not after:
        return list(busy)
    return [(start - after, end + before) for start, end in busy]


def full_days(meeting_starts: Sequence[datetime], zone: str, rules: SchedulingRules) -> list[date]:
    """The local days that already hold as many meetings as the person allows."""
    if rules.max_meetings_per_day is None:
        return []
    tz = ZoneInfo(zone)
    counts: dict[date, int] = {}
    for start in meeting_starts:
        day = start.astimezone(tz).date()
        counts[day] = counts.get(day, 0) + 1
    return sorted(day for day, count in counts.items() if count >= rules.max_meetings_per_day)


def day_span(day: date, zone: str) -> Span:
    """A local day as UTC epoch seconds (23 or 25 hours long on a change of clocks)."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return (start.timestamp(), end.timestamp())


def earliest_start(now: datetime, rules: Iterable[SchedulingRules], floor_minutes: int) -> datetime:
    """No slot starts before this: the longest notice anyone asks for, at least `floor_minutes`."""
    notice = max([floor_minutes, *(r.minimum_notice_minutes for r in rules)])
    return now + timedelta(minutes=notice)


def widest_buffers(rules: Iterable[SchedulingRules]) -> tuple[timedelta, timedelta]:
    """How far before a meeting's start, and after its end, busy time can matter: for
    reading free/busy around it."""
    listed = list(rules)
    before = max([0, *(r.buffer_before_minutes for r in listed)])
    after = max([0, *(r.buffer_after_minutes for r in listed)])
    return timedelta(minutes=before), timedelta(minutes=after)


def describe(rules: SchedulingRules) -> list[str]:
    """The rules in words, for pages; empty when none is set."""
    words = []
    if rules.buffer_before_minutes:
        words.append(f"{rules.buffer_before_minutes} min free before meetings")
    if rules.buffer_after_minutes:
        words.append(f"{rules.buffer_after_minutes} min free after meetings")
    if rules.minimum_notice_minutes:
        words.append(f"at least {rules.minimum_notice_minutes} min notice")
    if rules.max_meetings_per_day:
        words.append(f"at most {rules.max_meetings_per_day} meetings a day")
    return words


@dataclass(frozen=True)
class PersonSchedule:
    """What booking needs to know of one person besides free/busy."""

    email: str
    name: str
    time_zone: str
    working_hours: Mapping[str, Sequence[Sequence[str]]]
    rules: SchedulingRules = NO_RULES
    meeting_starts: Sequence[datetime] = ()  # their other meetings booked here that hold time


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%A %H:%M")


def check_fits(
    people: Sequence[PersonSchedule], start: datetime, end: datetime, *, now: datetime
) -> None:
    """Raises RuleViolation when [start, end) breaks someone's working hours or rules.

    Busy time and buffers are checked against free/busy elsewhere; this is the rest.
    """
    for person in people:
        if not at_work_throughout(person.time_zone, person.working_hours, start, end):
            raise RuleViolation(
                "outside_working_hours",
                f"{person.name or person.email}'s working hours ({person.time_zone}) do not "
                f"cover {_local(start, person.time_zone)}–{end.astimezone(ZoneInfo(person.time_zone)):%H:%M} "
                "their time; pick a time inside everyone's working hours.",
            )
    for person in people:
        notice = person.rules.minimum_notice_minutes
        if notice and start < now + timedelta(minutes=notice):
            raise RuleViolation(
                "notice_too_short",
                f"{person.name or person.email} asks for at least {notice} minutes' notice; "
                "pick a later time.",
            )
    for person in people:
        if start.astimezone(ZoneInfo(person.time_zone)).date() in full_days(
            person.meeting_starts, person.time_zone, person.rules
        ):
            raise RuleViolation(
                "day_full",
                f"{person.name or person.email} already has {person.rules.max_meetings_per_day} "
                "meetings that day, their most; pick another day.",
            )
