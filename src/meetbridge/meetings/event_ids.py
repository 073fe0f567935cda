"""Calendar event ids derived from bookings. Pure.

A booking's event id is meetbridge's name for its event: every provider creates exactly once
per id (a repeated create meets the event the first one made, never adds a second; each provider
keeps that promise its own way, see `CalendarProvider.create_event`). The id is lower-case
base32hex (characters a-v and 0-9), which every calendar system accepts as a client id.
"""

from __future__ import annotations

import base64
import re
import uuid

EVENT_ID_PATTERN = re.compile(r"^[a-v0-9]{5,1024}$")
UUID_ID_LENGTH = 26  # 16 bytes in base32hex, without padding


def is_valid_event_id(value: str) -> bool:
    return bool(EVENT_ID_PATTERN.match(value))


def event_id_for(booking_id: uuid.UUID) -> str:
    """The one event id a booking can ever have."""
    return base64.b32hexencode(booking_id.bytes).decode("ascii").rstrip("=").lower()


def booking_id_from(event_id: str) -> uuid.UUID | None:
    """The booking an event id was derived from, or None for any id meetbridge never made."""
    if len(event_id) != UUID_ID_LENGTH or not is_valid_event_id(event_id):
        return None
    try:
        raw = base64.b32hexdecode(event_id.upper() + "======")
    except ValueError:
        return None
    if len(raw) != 16:
        return None
    booking_id = uuid.UUID(bytes=raw)
    # Only the canonical spelling counts, so one booking has exactly one id.
    return booking_id if event_id_for(booking_id) == event_id else None
