"""Cutting a free/busy question into the pieces a provider accepts. Pure.

Every provider limits how many people and how long a range one free/busy call may ask about;
each passes its own limits here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from meetbridge.integrations.provider import Interval


def split_range(start: datetime, end: datetime, span: timedelta) -> list[Interval]:
    """[start, end) cut into consecutive pieces no longer than `span`."""
    pieces = []
    cursor = start
    while cursor < end:
        piece_end = min(end, cursor + span)
        pieces.append(Interval(cursor, piece_end))
        cursor = piece_end
    return pieces


def batches(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def normalise_emails(emails: Iterable[str]) -> list[str]:
    """Lower-cased and trimmed, each once, in the order first given; blanks dropped."""
    seen: dict[str, None] = {}
    for email in emails:
        seen.setdefault(email.strip().lower(), None)
    return [e for e in seen if e]
