"""Small helpers the meetings tests share: times, booking bodies, the sandbox's view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MARKER = "meetbridge_booking"


def next_weekday_at(hour: int, minute: int = 0, *, days_ahead: int = 7) -> datetime:
    """A time comfortably in the future, in UTC."""
    base = datetime.now(UTC).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return base + timedelta(days=days_ahead)


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
