"""The calendar-provider interface: what meetbridge asks of any calendar system.

Google Workspace is the first implementation (`integrations/providers/google/`); Microsoft 365
will be the second. Everything here is plain data, with no Django and no network, so scheduling
and booking code is written and tested against this interface alone.

All datetimes are timezone-aware.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from meetbridge.tenants.rules import RuleViolation


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    @property
    def seconds(self) -> tuple[float, float]:
        """(start, end) as epoch seconds, worked out once per interval: Google's wire hands the
        same intervals out again and again, and an answer reads each twice (the slots and the
        reuse cache). A plain attribute, not `cached_property`, which takes a lock."""
        try:
            return self.__dict__["_seconds"]
        except KeyError:
            found = (self.start.timestamp(), self.end.timestamp())
            object.__setattr__(self, "_seconds", found)  # the same value whoever sets it first
            return found


@dataclass(frozen=True)
class FreeBusy:
    """Busy time per person; `unknown` holds the people whose calendar could not be read.

    Someone in `unknown` must never be treated as free.
    """

    busy: dict[str, list[Interval]]
    unknown: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventDraft:
    """A meeting to create on the organizer's calendar, inviting the attendees."""

    event_id: str
    title: str
    start: datetime
    end: datetime
    organizer_email: str
    attendee_emails: tuple[str, ...]
    time_zone: str = "UTC"
    description: str = ""
    video: bool = False
    marker: dict[str, str] = field(default_factory=dict)  # private extended properties


@dataclass(frozen=True)
class Attendee:
    email: str
    response: str  # needsAction | accepted | declined | tentative


@dataclass(frozen=True)
class EventView:
    """The few fields of an event that meetbridge may show: never description or location."""

    event_id: str
    status: str
    title: str
    start: datetime
    end: datetime
    organizer_email: str
    attendees: tuple[Attendee, ...]
    html_link: str | None
    video_link: str | None
    marker: dict[str, str] = field(default_factory=dict)

    def carries(self, marker: Mapping[str, str]) -> bool:
        """The event is ours when it carries every private property we would have set."""
        return bool(marker) and all(self.marker.get(k) == v for k, v in marker.items())


class ProviderError(Exception):
    """A provider call failed.

    `code` is a stable snake_case diagnosis (e.g. `delegation_missing`, `api_disabled`,
    `key_invalid`, `user_unknown`, `rate_limited`, `unreachable`, `not_found`, `conflict`);
    `retryable` says whether trying again later may succeed without anyone acting.
    `fix` tells a tenant admin what to do about it (empty when nothing is to be done).
    The message and the fix never contain a secret.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retryable: bool = False,
        status: int = 0,
        fix: str = "",
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.status = status
        self.fix = fix
        self.retry_after = retry_after  # seconds the provider asked callers to wait, if any

    @property
    def problem(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "fix": self.fix}


class CredentialError(RuleViolation):
    """What the admin handed over is not a usable credential; the message says what to fix."""


class NotConnected(ProviderError):
    """The tenant has no verified calendar integration, so nothing can be read or booked."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            "calendar_not_connected",
            message or "Your organisation has not connected its calendar system to meetbridge yet.",
            fix="Ask a tenant admin to finish the setup on the Integrations page.",
        )


@dataclass(frozen=True)
class CallRecord:
    """One call a provider made with a tenant's credentials, for the audit log.

    `operation` names the provider's own operation (e.g. `calendar.freebusy.query`);
    `outcome` is `ok` or a ProviderError code. Never holds a secret.
    """

    operation: str
    subject_email: str
    outcome: str
    latency_ms: int
    detail: str = ""


CallObserver = Callable[[CallRecord], None]


class CalendarProvider(Protocol):
    """One tenant's connection to its calendar system.

    `as_email` is the person on whose behalf the call is made (impersonated under
    domain-wide delegation for Google).
    """

    name: str

    def verify(self, *, as_email: str) -> None:
        """Prove the connection works for this person; raise ProviderError with a diagnosis."""

    def free_busy(
        self, *, as_email: str, emails: list[str], start: datetime, end: datetime
    ) -> FreeBusy: ...

    def busy_besides(
        self, *, as_email: str, emails: list[str], start: datetime, end: datetime, event_id: str
    ) -> FreeBusy:
        """Each person's busy time over [start, end) as free/busy counts it, but read event by
        event and leaving out the event meetbridge made under `event_id` (each person's copy).

        For a reschedule's re-check only: free/busy merges events, so an event lying inside the
        meeting's own time (or at exactly its time) cannot be told from the meeting there.
        Intervals may overlap; nothing of the events but their times is kept.
        """
        ...

    def create_event(self, *, draft: EventDraft) -> EventView:
        """Create the event exactly once per `draft.event_id`.

        A repeated create (after a lost answer, a timeout, a crash) returns the event the first
        one made when it carries `draft.marker`, and never makes a second event. Each provider
        keeps this promise its own way: Google takes the id as the event's own (a repeat meets
        409 and reads the event back); Microsoft Graph chooses its own ids, so the id travels
        as the `transactionId` and in an extended property that finds the event again.
        """

    def get_event(self, *, as_email: str, event_id: str) -> EventView:
        """The event created under `event_id` (meetbridge's id), with safe fields only.

        An event meetbridge did not make never reads as ours: its `marker` is empty, or the
        call fails with `not_found`.
        """

    def move_event(
        self,
        *,
        as_email: str,
        event_id: str,
        start: datetime,
        end: datetime,
        time_zone: str,
        attendee_emails: Sequence[str] | None = None,
    ) -> EventView:
        """New times; given `attendee_emails`, their answers go back to needsAction."""
        ...

    def cancel_event(self, *, as_email: str, event_id: str) -> None: ...
