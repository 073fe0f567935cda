"""Meetings as the pages show them: in the reader's time zone, in words. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from meetbridge.meetings.meeting import RESPONSE_LABELS, Meeting
from meetbridge.meetings.rules import LIMITS
from meetbridge.scheduling.grid import local_clock
from meetbridge.scheduling.rules import check_moment_range
from meetbridge.tenants.rules import RuleViolation

LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


def when_text(start: datetime, end: datetime, zone: str) -> str:
    """'Tue 5 Mar 2030, 09:00–09:30' in `zone`; the end's date is named when it differs."""
    tz = ZoneInfo(zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = f"{local_start:%a} {local_start.day} {local_start:%b %Y}"
    if local_end.date() == local_start.date():
        return f"{day}, {local_start:%H:%M}–{local_end:%H:%M}"
    return f"{day}, {local_start:%H:%M} – {local_end:%a} {local_end.day} {local_end:%b}, {local_end:%H:%M}"


def local_input_value(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime(LOCAL_INPUT_FORMAT)


def parse_local_input(value: str, zone: str) -> datetime:
    """A wall-clock time typed in the reader's zone, as an aware datetime."""
    try:
        naive = datetime.strptime(value.strip(), LOCAL_INPUT_FORMAT)
    except ValueError:
        raise RuleViolation(
            "invalid_start", "Give the new start as a date and a time, e.g. 2030-03-05 14:30."
        ) from None
    return check_moment_range(naive.replace(tzinfo=ZoneInfo(zone)), "The new start")


def parse_slot_query(start: str, duration: str) -> tuple[datetime, int]:
    """The slot a booking link names: `start` (RFC 3339) and `duration` (minutes)."""
    # In a query string an unencoded '+' of the offset arrives as a space.
    text = start.strip().replace(" ", "+")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RuleViolation(
            "invalid_start", "The link's start is not a time; pick a slot on the Availability page."
        ) from None
    if moment.tzinfo is None:
        raise RuleViolation(
            "start_without_offset",
            "The link's start has no UTC offset; pick a slot on the Availability page.",
        )
    try:
        minutes = int(duration)
    except (TypeError, ValueError):
        raise RuleViolation(
            "invalid_duration", "The link's duration is not a number of minutes."
        ) from None
    if not LIMITS.min_minutes <= minutes <= LIMITS.max_minutes:
        raise RuleViolation(
            "invalid_duration",
            f"The link's duration must be {LIMITS.min_minutes} to {LIMITS.max_minutes} minutes.",
        )
    return check_moment_range(moment, "The link's start"), minutes


@dataclass(frozen=True)
class AttendeeLine:
    email: str
    response: str
    label: str  # the answer, in words
    name: str = ""
    local_when: str = ""  # their own clock ('15:00–15:30 Paris (CET)'); '' when not known


@dataclass(frozen=True)
class MeetingCard:
    """One meeting on the Meetings page."""

    meeting: Meeting
    when: str
    is_organizer: bool
    is_upcoming: bool
    attendees: tuple[AttendeeLine, ...]
    start_input: str
    duration: int
    organizer_name: str = ""
    organizer_local: str = ""  # the meeting on the organizer's own clock; '' when not known
    # A change under way, in words ("Cancelling…", "Moving to …"); empty when none.
    under_way: str = ""

    @property
    def cancelled(self) -> bool:
        return self.meeting.status == "cancelled"

    @property
    def can_change(self) -> bool:
        status = self.meeting.status
        # A change meetbridge gave up on may be tried again by its organizer.
        retryable = self.meeting.problem is not None and status in ("cancelling", "rescheduling")
        return self.is_organizer and self.is_upcoming and (status in CHANGEABLE or retryable)


CHANGEABLE = frozenset({"confirmed", "tentative"})
UNDER_WAY_WORDS = {
    "cancelling": "Cancelling…",
    "inserting": "Being booked…",
    "failed": "Not booked",
}


def under_way_text(meeting: Meeting, zone: str) -> str:
    """What is happening to the meeting right now, if anything: the truth, not the old state."""
    if meeting.status == "rescheduling" and meeting.moving_to is not None:
        return f"Moving to {when_text(meeting.moving_to.start, meeting.moving_to.end, zone)}…"
    return UNDER_WAY_WORDS.get(meeting.status, "")


def meeting_card(
    meeting: Meeting,
    *,
    viewer_email: str,
    zone: str,
    now: datetime,
    people: dict[str, tuple[str, str]] | None = None,
) -> MeetingCard:
    """`people`: name and zone by e-mail, for those the reader's organisation knows."""
    people = people or {}

    def line(attendee) -> AttendeeLine:
        # Someone outside the organisation has no zone known here: no local time is made up.
        name, their_zone = people.get(attendee.email, ("", None))
        local = person_line(attendee.email, name, their_zone, meeting.start, meeting.end)
        return AttendeeLine(
            attendee.email,
            attendee.response,
            RESPONSE_LABELS.get(attendee.response, attendee.response),
            name,
            local.local_when,
        )

    organizer_name, organizer_zone = people.get(meeting.organizer, ("", None))
    organizer = person_line(
        meeting.organizer, organizer_name, organizer_zone, meeting.start, meeting.end
    )
    return MeetingCard(
        meeting=meeting,
        when=when_text(meeting.start, meeting.end, zone),
        is_organizer=meeting.organizer == viewer_email.lower(),
        is_upcoming=meeting.end > now,
        attendees=tuple(line(a) for a in meeting.attendees),
        organizer_name=organizer.name,
        organizer_local=organizer.local_when,
        start_input=local_input_value(meeting.start, zone),
        duration=int((meeting.end - meeting.start).total_seconds() // 60),
        under_way=under_way_text(meeting, zone),
    )


def split_upcoming(
    cards: list[MeetingCard],
) -> tuple[list[MeetingCard], list[MeetingCard], list[MeetingCard]]:
    """Upcoming soonest first; past most recent first; cancelled ones apart, soonest first."""
    upcoming = [card for card in cards if card.is_upcoming and not card.cancelled]
    past = [card for card in cards if not card.is_upcoming and not card.cancelled]
    cancelled = [card for card in cards if card.cancelled]
    return upcoming, past[::-1], cancelled


@dataclass(frozen=True)
class PersonLine:
    """Someone in a meeting, as a page names them: name, address, and their own clock."""

    email: str
    name: str
    time_zone: str
    local_when: str  # '16:00–16:30 Paris (CET)', on their own clock; '' when not known

    @property
    def label(self) -> str:
        return self.name or self.email


def person_line(
    email: str, name: str, time_zone: str | None, start: datetime, end: datetime
) -> PersonLine:
    """Everyone's own clock is shown, even when it is the reader's: a page never leaves the
    reader to work out someone's local time from an offset. `time_zone` None: not known."""
    local = local_clock(start, time_zone, end) if time_zone else ""
    return PersonLine(email, name, time_zone or "", local)


def suggested_title(names: list[str]) -> str:
    """'Ben and Cy', 'Ben, Cy and Dee': what Calendly-like tools suggest."""
    names = [n for n in names if n]
    if len(names) < 2:
        return names[0] if names else ""
    return f"{', '.join(names[:-1])} and {names[-1]}"
