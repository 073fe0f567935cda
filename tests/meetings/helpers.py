"""Small helpers the meetings tests share: times, booking bodies, the sandbox's view."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

MARKER = "meetbridge_booking"


TORONTO = ZoneInfo("America/Toronto")  # the test tenant's zone


def next_weekday_at(hour: int, minute: int = 0, *, days_ahead: int = 7) -> datetime:
    """A time comfortably in the future on a Monday to Friday, `hour:minute` on the test
    tenant's wall clock (inside the default working hours 09:00-17:00), in UTC."""
    day = datetime.now(TORONTO).date() + timedelta(days=days_ahead)
    day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)
    local = datetime.combine(day, time(hour, minute), tzinfo=TORONTO)
    return local.astimezone(UTC)


def booking_body(attendees, start: datetime, duration: int = 30, **extra) -> dict:
    return {
        "attendees": [getattr(a, "email", a) for a in attendees],
        "start": start.isoformat(),
        "duration": duration,
        "title": extra.pop("title", "Planning"),
        **extra,
    }


def meetbridge_events(sandbox, email: str, *, include_cancelled: bool = False) -> list[dict]:
    """The events on a calendar that carry meetbridge's private marker."""
    return [
        event
        for event in sandbox.events_of(email)
        if MARKER in event.get("extendedProperties", {}).get("private", {})
        and (include_cancelled or event.get("status") != "cancelled")
    ]
