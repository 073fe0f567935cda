"""Cutting a free/busy question into the pieces a provider accepts, and their answers back
into one. Pure.

Every provider limits how many people and how long a range one free/busy call may ask about;
each passes its own limits here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from meetbridge.integrations.provider import FreeBusy, Interval


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


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals joined (pieces of a split range meet)."""
    merged: list[Interval] = []
    for item in sorted(intervals, key=lambda i: (i.start, i.end)):
        if merged and item.start <= merged[-1].end:
            if item.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, item.end)
        else:
            merged.append(item)
    return merged


def merge_freebusy(parts: Iterable[FreeBusy]) -> FreeBusy:
    """Answers for pieces of people and time, as one. Unknown anywhere means unknown."""
    busy: dict[str, list[Interval]] = {}
    pieced: set[str] = set()  # people answered for in more than one part: pieces of time
    unknown: dict[str, str] = {}
    for part in parts:
        for email, intervals in part.busy.items():
            if email in busy:
                pieced.add(email)
            busy.setdefault(email, []).extend(intervals)
        unknown.update(part.unknown)
    return FreeBusy(
        # Only pieces of one person's time need joining; a person answered for once keeps the
        # provider's list as it came, as when a question needs a single call.
        busy={
            e: merge_intervals(i) if e in pieced else i for e, i in busy.items() if e not in unknown
        },
        unknown=unknown,
    )
