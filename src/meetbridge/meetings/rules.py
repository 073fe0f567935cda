"""What a booking request must satisfy, and when a time is taken. Pure.

Plain data in, a normalised request or a `RuleViolation` (answered 422) out. The message of
each violation says what to change.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from meetbridge.integrations.provider import Interval
from meetbridge.scheduling.rules import check_moment_range
from meetbridge.tenants.rules import RuleViolation, normalise_email

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Limits:
    min_minutes: int = 5
    max_minutes: int = 12 * 60
    # With the organizer that makes 50 calendars: one free/busy query, the largest a provider answers.
    max_attendees: int = 49
    max_title: int = 200
    max_description: int = 8000
    horizon: timedelta = timedelta(days=366)


LIMITS = Limits()


@dataclass(frozen=True)
class MeetingRequest:
    """A booking request that passed every rule: addresses lower-cased, times in UTC."""

    attendees: tuple[str, ...]
    start: datetime
    end: datetime
    title: str
    description: str
    video: bool

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


def check_times(
    start: datetime, duration: int, *, now: datetime, limits: Limits = LIMITS
) -> Interval:
    """The meeting's time in UTC, whole seconds; raises when it cannot be booked."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise RuleViolation(
            "start_without_offset",
            "start must include a UTC offset, for example 2030-05-06T14:00:00-04:00.",
        )
    check_moment_range(start, "start")
    if isinstance(duration, bool) or not isinstance(duration, int):
        raise RuleViolation("invalid_duration", "duration must be a whole number of minutes.")
    if not limits.min_minutes <= duration <= limits.max_minutes:
        raise RuleViolation(
            "invalid_duration",
            f"duration must be between {limits.min_minutes} and {limits.max_minutes} minutes; "
            f"{duration} is not.",
        )
    start = start.astimezone(UTC).replace(microsecond=0)
    if start <= now:
        raise RuleViolation(
            "start_in_past", "start must be in the future; pick a time later than now."
        )
    if start > now + limits.horizon:
        raise RuleViolation(
            "start_too_far",
            f"start must be within {limits.horizon.days} days from now.",
        )
    return Interval(start, start + timedelta(minutes=duration))


def check_title(title: str, limits: Limits = LIMITS) -> str:
    cleaned = title.strip()
    if not cleaned:
        raise RuleViolation("title_required", "Give the meeting a title.")
    if len(cleaned) > limits.max_title:
        raise RuleViolation(
            "title_too_long",
            f"The title is {len(cleaned)} characters long; keep it to {limits.max_title}.",
        )
    if CONTROL_CHARACTERS.search(cleaned):
        raise RuleViolation(
            "title_invalid", "The title must be one line of text, without control characters."
        )
    return cleaned


def check_description(description: str, limits: Limits = LIMITS) -> str:
    cleaned = description.strip()
    if len(cleaned) > limits.max_description:
        raise RuleViolation(
            "description_too_long",
            f"The description is {len(cleaned)} characters long; keep it to "
            f"{limits.max_description}.",
        )
    if CONTROL_EXCEPT_LINES.search(cleaned):
        raise RuleViolation(
            "description_invalid", "The description must be plain text, without control characters."
        )
    return cleaned


def check_attendees(
    organizer_email: str, attendees: Sequence[str], limits: Limits = LIMITS
) -> tuple[str, ...]:
    if not attendees:
        raise RuleViolation("attendees_required", "Invite at least one colleague (attendees).")
    if len(attendees) > limits.max_attendees:
        raise RuleViolation(
            "too_many_attendees",
            f"A meeting can have at most {limits.max_attendees} attendees besides you; "
            f"{len(attendees)} were given.",
        )
    organizer = organizer_email.lower()
    seen: list[str] = []
    for raw in attendees:
        email = normalise_email(raw)
        if email == organizer:
            raise RuleViolation(
                "organizer_in_attendees",
                f"{email} is you, the organizer: leave your own address out of attendees.",
            )
        if email in seen:
            raise RuleViolation(
                "duplicate_attendee", f"{email} is listed twice in attendees; list each once."
            )
        seen.append(email)
    return tuple(seen)


def check_booking(
    *,
    organizer_email: str,
    attendees: Sequence[str],
    start: datetime,
    duration: int,
    title: str,
    description: str = "",
    video: bool = False,
    now: datetime,
    limits: Limits = LIMITS,
) -> MeetingRequest:
    people = check_attendees(organizer_email, attendees, limits)
    when = check_times(start, duration, now=now, limits=limits)
    return MeetingRequest(
        attendees=people,
        start=when.start,
        end=when.end,
        title=check_title(title, limits),
        description=check_description(description, limits),
        video=bool(video),
    )


def request_payload(
    *,
    attendees: Iterable[str],
    start: datetime,
    duration: Any,
    title: str,
    description: str = "",
    video: bool = False,
) -> dict[str, Any]:
    """A booking request spelled one way, for its idempotency fingerprint."""
    if start.tzinfo is not None and start.utcoffset() is not None:
        # A time at the very end of the calendar cannot move to UTC; check_times refuses it.
        with contextlib.suppress(OverflowError):
            start = start.astimezone(UTC)
    return {
        "attendees": [a.strip().lower() for a in attendees],
        "start": start.isoformat(),
        "duration": duration,
        "title": title.strip(),
        "description": description.strip(),
        "video": bool(video),
    }


def overlaps(a: Interval, b: Interval) -> bool:
    """Touching ends do not overlap: a meeting may start when the last one ends."""
    return a.start < b.end and b.start < a.end


def first_busy(
    wanted: Interval,
    busy: Mapping[str, Sequence[Interval]],
    emails: Sequence[str],
    *,
    own_time: Interval | None = None,
    buffers: Mapping[str, tuple[timedelta, timedelta]] | None = None,
    exact: Collection[str] = (),
) -> str | None:
    """The first of `emails` (in that order) whose busy time overlaps `wanted`.

    `own_time` is the meeting's current time when it is being moved: the calendar shows it as
    busy, but it is the meeting itself, not a conflict. Free/busy merges overlapping events, so
    a block that holds the whole of the meeting's time holds the meeting, and whatever reaches
    beyond it is someone else's event: only that part counts here. What lies *inside* the
    meeting's time cannot be told from the meeting by free/busy: `hidden_under_own_time` names
    the people for whom that matters, and their busy time is read event by event, leaving our
    own event out (`exact`: those people, whose busy time holds no block of ours, so all of it
    counts). (`busy` must be read over `recheck_window`, so that an event reaching out of the
    meeting's time shows beyond it instead of being cut off at its edge.) `buffers`: by e-mail,
    the time (before, after) a person keeps free around a new meeting.
    """
    for email in emails:
        reach = reach_of(wanted, (buffers or {}).get(email))
        ours = None if email in exact else own_time
        for block in busy.get(email, ()):
            if any(overlaps(part, reach) for part in beyond(block, ours)):
                return email
    return None


def hidden_under_own_time(
    wanted: Interval,
    busy: Mapping[str, Sequence[Interval]],
    emails: Sequence[str],
    *,
    own_time: Interval,
    buffers: Mapping[str, tuple[timedelta, timedelta]] | None = None,
) -> list[str]:
    """The people whose free/busy cannot say whether the moved meeting meets something inside
    its own old time: one of their blocks holds the whole meeting (merged with anything else
    there, even an event of exactly the same time), and the new time reaches into it."""
    return [
        email
        for email in emails
        if overlaps(reach_of(wanted, (buffers or {}).get(email)), own_time)
        and any(holds(block, own_time) for block in busy.get(email, ()))
    ]


def reach_of(wanted: Interval, buffer: tuple[timedelta, timedelta] | None) -> Interval:
    """The time a person needs free for `wanted`: with their buffers (before, after) around it."""
    before, after = buffer or (timedelta(0), timedelta(0))
    return widen(wanted, before, after)


def holds(block: Interval, inner: Interval) -> bool:
    return block.start <= inner.start and inner.end <= block.end


def beyond(block: Interval, own_time: Interval | None) -> list[Interval]:
    """What of a busy block is not the meeting's own time (all of it, unless it holds that)."""
    if own_time is None or not holds(block, own_time):
        return [block]
    parts = [Interval(block.start, own_time.start), Interval(own_time.end, block.end)]
    return [part for part in parts if part.start < part.end]


def widen(block: Interval, earlier: timedelta, later: timedelta) -> Interval:
    return Interval(block.start - earlier, block.end + later) if earlier or later else block


RECHECK_MARGIN = timedelta(minutes=1)


def recheck_window(wanted: Interval, own_time: Interval | None = None) -> Interval:
    """The time to read free/busy over: the new time, and for a move the current one with a
    margin on each side, so an outside event reaching into it is seen reaching out of it."""
    if own_time is None:
        return wanted
    return Interval(
        min(wanted.start, own_time.start - RECHECK_MARGIN),
        max(wanted.end, own_time.end + RECHECK_MARGIN),
    )
