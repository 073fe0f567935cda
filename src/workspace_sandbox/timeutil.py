"""Reading and writing the times of Google's wire format (RFC 3339, event start/end objects)."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def parse_rfc3339(value: str) -> datetime:
    """An aware datetime; raises ValueError for anything without an offset."""
    if not isinstance(value, str):
        raise ValueError("not a string")
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        raise ValueError("a time needs an offset")
    return parsed


def zone(name: str | None, default: ZoneInfo | None = None) -> ZoneInfo:
    if not name:
        return default or ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def format_utc(moment: datetime) -> str:
    """`2024-05-06T14:00:00Z`, the form freeBusy answers in."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_in_zone(moment: datetime, out_zone: ZoneInfo) -> str:
    """The instant as freeBusy writes it in `out_zone`: `2024-05-06T14:00:00Z` in UTC,
    `2024-05-06T10:00:00-04:00` elsewhere."""
    # The offset tells apart the two readings of a wall-clock time repeated when clocks go back
    # (equal as datetimes of one zone), so the key names one instant.
    return _instant_in_zone(moment, moment.utcoffset(), out_zone)


@functools.lru_cache(maxsize=1 << 16)
def _instant_in_zone(moment: datetime, offset: timedelta, out_zone: ZoneInfo) -> str:
    local = moment.astimezone(out_zone).replace(microsecond=0)
    if not local.utcoffset():
        # As strftime("%Y-%m-%dT%H:%M:%SZ") writes it, in a fifth of the time.
        return local.replace(tzinfo=None).isoformat() + "Z"
    return local.isoformat()


def format_stamp(moment: datetime) -> str:
    """`2024-05-06T14:00:00.000Z`, the form of `created` and `updated`."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def now() -> datetime:
    return datetime.now(UTC)


def event_time(value: dict, calendar_zone: ZoneInfo) -> tuple[datetime, ZoneInfo, bool]:
    """An event `start`/`end` object -> (aware moment in its zone, its zone, whether all-day).

    All-day dates start at local midnight in the calendar's zone; a dateTime without an offset is
    read in its own `timeZone`.
    """
    if not isinstance(value, dict):
        raise ValueError("start and end must be objects")
    tz = zone(value.get("timeZone"), calendar_zone)
    if value.get("date"):
        day = date.fromisoformat(value["date"])
        return datetime.combine(day, time(), tzinfo=calendar_zone), calendar_zone, True
    if value.get("dateTime"):
        moment = datetime.fromisoformat(value["dateTime"])
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.astimezone(tz), tz, False
    raise ValueError("missing date or dateTime")


def days(n: int) -> timedelta:
    return timedelta(days=n)
