"""Expanding an event's `recurrence` lines (RFC 5545 RRULE/EXDATE) into occurrences.

Supported: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY with INTERVAL, COUNT, UNTIL, and BYDAY (plain
weekdays, for DAILY and WEEKLY); EXDATE. Occurrences are generated in the event's own zone so a
weekly 09:00 meeting stays at 09:00 local time across daylight-saving changes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from .timeutil import zone

WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_MAX_CANDIDATES = 100_000  # a bound, so no rule can keep the server busy forever


@dataclass(frozen=True)
class Rule:
    freq: str
    interval: int = 1
    count: int | None = None
    until: datetime | date | None = None
    by_day: tuple[int, ...] = ()


def parse_rrule(line: str) -> Rule:
    """`RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10` -> Rule; ValueError says what is unsupported."""
    body = line.split(":", 1)[1] if line.upper().startswith("RRULE:") else line
    parts = {}
    for piece in body.split(";"):
        if not piece:
            continue
        key, _, value = piece.partition("=")
        parts[key.strip().upper()] = value.strip().upper()
    freq = parts.get("FREQ")
    if freq not in FREQUENCIES:
        raise ValueError(f"unsupported FREQ {freq!r}")
    interval = int(parts.get("INTERVAL", "1"))
    if interval < 1:
        raise ValueError("INTERVAL must be at least 1")
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    if count is not None and count < 1:
        raise ValueError("COUNT must be at least 1")
    if count is not None and "UNTIL" in parts:
        raise ValueError("COUNT and UNTIL cannot be used together")
    by_day = ()
    if "BYDAY" in parts:
        if freq not in ("DAILY", "WEEKLY"):
            raise ValueError("BYDAY is supported with DAILY and WEEKLY only")
        try:
            by_day = tuple(sorted({WEEKDAYS[d] for d in parts["BYDAY"].split(",")}))
        except KeyError as exc:
            raise ValueError(f"unsupported BYDAY {parts['BYDAY']!r}") from exc
    unsupported = set(parts) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"}
    if unsupported:
        raise ValueError(f"unsupported rule parts: {', '.join(sorted(unsupported))}")
    until = _parse_ical_time(parts["UNTIL"], None) if "UNTIL" in parts else None
    return Rule(freq=freq, interval=interval, count=count, until=until, by_day=by_day)


def _parse_ical_time(value: str, tz: ZoneInfo | None) -> datetime | date:
    """`20240110` -> date; `20240110T090000Z` -> UTC; `20240110T090000` -> in tz (or naive)."""
    if "T" not in value:
        return datetime.strptime(value, "%Y%m%d").date()
    if value.endswith("Z"):
        return datetime.strptime(value[:-1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=tz)


def _candidates(start: datetime, rule: Rule) -> Iterator[datetime]:
    """Every start the rule's frequency produces, in wall-clock time, ignoring COUNT/UNTIL."""
    wall = start.replace(tzinfo=None)
    if rule.freq == "DAILY":
        for n in itertools.count():
            moment = wall + timedelta(days=n * rule.interval)
            if not rule.by_day or moment.weekday() in rule.by_day:
                yield moment
    elif rule.freq == "WEEKLY":
        week_start = wall - timedelta(days=wall.weekday())
        weekdays = rule.by_day or (wall.weekday(),)
        for n in itertools.count():
            for weekday in weekdays:
                moment = week_start + timedelta(days=7 * n * rule.interval + weekday)
                if moment >= wall:
                    yield moment
    else:
        months = 12 if rule.freq == "YEARLY" else 1
        for n in itertools.count():
            index = wall.month - 1 + n * rule.interval * months
            year, month = wall.year + index // 12, index % 12 + 1
            try:
                yield wall.replace(year=year, month=month)
            except ValueError:  # the 31st in a shorter month, 29 February in a common year
                continue


def _excluded(lines: list[str], tz: ZoneInfo) -> tuple[set[datetime], set[date]]:
    moments, days = set(), set()
    for line in lines:
        if not line.upper().startswith("EXDATE"):
            continue
        params, _, values = line.partition(":")
        line_tz = tz
        for param in params.split(";")[1:]:
            key, _, value = param.partition("=")
            if key.upper() == "TZID":
                line_tz = zone(value, tz)
        for value in values.split(","):
            parsed = _parse_ical_time(value.strip(), line_tz)
            if isinstance(parsed, datetime):
                moments.add(parsed.astimezone(UTC))
            else:
                days.add(parsed)
    return moments, days


def _rule_of(lines: list[str]) -> Rule | None:
    rules = [line for line in lines if line.upper().startswith("RRULE")]
    if len(rules) > 1:
        raise ValueError("only one RRULE per event is supported")
    return parse_rrule(rules[0]) if rules else None


def validate(lines: list) -> None:
    """Raises ValueError when the recurrence cannot be understood."""
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise ValueError("recurrence must be a list of strings")
    for line in lines:
        if not line.upper().startswith(("RRULE", "EXDATE", "RDATE", "EXRULE")):
            raise ValueError(f"unsupported recurrence line {line!r}")
    _rule_of(lines)
    _excluded(lines, ZoneInfo("UTC"))


def starts(lines: list[str], first: datetime, until: datetime) -> Iterator[datetime]:
    """Starts of the series whose first occurrence is `first` (aware, in the event's zone),
    up to and excluding `until`; without a rule, just `first`."""
    if not any(line.upper().startswith("RRULE") for line in lines):
        if first < until:
            yield first
        return
    yield from _expand(lines, first, until)


def _expand(lines: list[str], first: datetime, until: datetime) -> Iterator[datetime]:
    tz = first.tzinfo
    rule = _rule_of(lines)
    ex_moments, ex_days = _excluded(lines, tz)
    produced = 0
    for checked, wall in enumerate(_candidates(first, rule)):
        if checked >= _MAX_CANDIDATES:
            return
        moment = wall.replace(tzinfo=tz)
        if _beyond_until(moment, rule.until) or moment >= until:
            return
        produced += 1
        if rule.count is not None and produced > rule.count:
            return
        if moment.astimezone(UTC) in ex_moments or moment.date() in ex_days:
            continue
        yield moment


def _beyond_until(moment: datetime, until: datetime | date | None) -> bool:
    if until is None:
        return False
    if isinstance(until, datetime):
        return moment > (until if until.tzinfo else until.replace(tzinfo=moment.tzinfo))
    return moment.date() > until
