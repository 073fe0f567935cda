"""Common free time of a member and colleagues: consent checked, one freeBusy, the pure slot rules.

Only free/busy is read (never event contents), in one upstream round trip for everyone:
the provider splits more than 50 people, or a range longer than it accepts, into parallel
queries. A calendar that could not be read makes its owner *unknown*; unknown people are never
taken as free, so while anyone is unknown no slot is offered and the answer names them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from django.db import connection
from django.utils import timezone

from meetbridge.audit import service as audit
from meetbridge.audit.models import AuditEvent
from meetbridge.integrations.access import provider_for
from meetbridge.integrations.freebusy_cache import free_busy_reused
from meetbridge.meetings.daily import meeting_starts
from meetbridge.rows import Columns, placeholders
from meetbridge.scheduling.consent import has_granted, rules_of, time_zone_of, working_hours_of
from meetbridge.scheduling.grid import PersonTime
from meetbridge.scheduling.limits import FIELDS as RULE_FIELDS
from meetbridge.scheduling.limits import (
    SchedulingRules,
    day_span,
    earliest_start,
    full_days,
    padded,
    widest_buffers,
)
from meetbridge.scheduling.models import CalendarAccess
from meetbridge.scheduling.rules import check_duration, check_interval, check_window
from meetbridge.scheduling.slots import (
    Participant,
    Slot,
    SlotQuery,
    Span,
    common_slot_spans,
    merge,
    slots_of,
    subtract,
    to_span,
)
from meetbridge.tenants.models import Person
from meetbridge.tenants.rules import RuleViolation, normalise_email

# A slot must start at least this long after the request, so that it can still be booked.
MIN_NOTICE_MINUTES = 15
MAX_COLLEAGUES = 150
REUSED_OPERATION = "freebusy.reused"


class AvailabilityRefused(Exception):
    """The request cannot be answered as asked; the message says why and what to do."""

    def __init__(self, status: int, code: str, message: str, **extra) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


@dataclass(frozen=True)
class AvailabilityRequest:
    emails: list[str]
    start: datetime
    end: datetime
    duration_minutes: int
    interval_minutes: int = 15
    # When a meeting is being moved: its current time, free for everyone in it, and its
    # booking, which does not count towards anyone's meetings that day.
    moving: tuple[datetime, datetime] | None = None
    moving_booking: object = None


@dataclass(frozen=True)
class Availability:
    time_zone: str  # the caller's
    slot_spans: list[tuple[int, int]]  # [start, end) in UTC epoch seconds, sorted
    people: list[Person]  # the caller first
    unknown: dict[str, str] = field(default_factory=dict)  # e-mail -> the provider's reason
    # e-mail -> busy time as the provider's free/busy gave it (before buffers), for the grid
    busy: dict[str, list[Span]] = field(default_factory=dict)

    @cached_property
    def slots(self) -> list[Slot]:
        return slots_of(self.slot_spans)


def schedulable_colleagues(person: Person) -> list[Person]:
    """The people of the caller's tenant who may be asked for: active, consent granted."""
    return list(
        Person.objects.filter(
            tenant_id=person.tenant_id, is_active=True, calendar_access__granted=True
        )
        .exclude(pk=person.pk)
        .select_related("calendar_access")
        .order_by("name", "email")
    )


def _wanted_emails(caller: Person, emails: list[str]) -> list[str]:
    wanted: dict[str, None] = {}
    for email in emails:
        wanted.setdefault(normalise_email(email), None)
    wanted.pop(caller.email, None)
    if len(wanted) > MAX_COLLEAGUES:
        raise RuleViolation(
            "too_many_people", f"Ask for at most {MAX_COLLEAGUES} colleagues at a time."
        )
    return list(wanted)


def people_to_ask(caller: Person, emails: list[str]) -> list[Person]:
    """The caller and the colleagues named, all in the caller's tenant and consenting.

    One query reads everyone's consent, the caller's included.
    """
    wanted = _wanted_emails(caller, emails)
    found = {p.email: p for p in members_with_consent(caller, wanted)}
    require_own_consent(found.get(caller.email))
    refused = []
    for email in wanted:
        if email not in found:
            refused.append({"email": email, "reason": "not_a_member"})
        elif not has_granted(found[email]):
            refused.append({"email": email, "reason": "no_calendar_access"})
    if refused:
        raise AvailabilityRefused(
            422, "not_schedulable", _refusal_message(caller, refused), people=refused
        )
    return [found[caller.email], *(found[email] for email in wanted)]


# What an answer uses of each person; the rest (password hash, sign-in times) is left unread.
_PERSON = Columns(Person, "p", only=("email", "name", "tenant", "role", "is_active"))
_ACCESS = Columns(
    CalendarAccess, "c", only=("person", "granted", "time_zone", "working_hours", *RULE_FIELDS)
)


def members_with_consent(caller: Person, emails: list[str]) -> list[Person]:
    """The caller and the active members of their tenant with these e-mails, consent read.

    As `select_related("calendar_access")` reads them, with SQL written once (meetbridge/rows.py):
    every availability question makes this query.
    """
    who = f"{_PERSON.column('id')} = %s"
    if emails:
        who = f"({_PERSON.column('email')} IN ({placeholders(len(emails))}) OR {who})"
    sql = (
        f"SELECT {_PERSON.select}, {_ACCESS.select} FROM {_PERSON.table} "  # noqa: S608 - names from the models, values bound
        f"LEFT JOIN {_ACCESS.table} ON {_ACCESS.column('person')} = {_PERSON.column('id')} "
        f"WHERE {_PERSON.column('tenant')} = %s AND {_PERSON.column('is_active')} = %s AND {who}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [caller.tenant_id, True, *emails, caller.pk])
        rows, db = cursor.fetchall(), cursor.db
    cache_access = CalendarAccess._meta.get_field("person").remote_field.set_cached_value
    people = []
    for row in rows:
        person = _PERSON.build(row, db)
        person.tenant = caller.tenant  # the same row for all: its zone is everyone's default
        cache_access(person, _ACCESS.build(row, db, len(_PERSON)))
        people.append(person)
    return people


def _refusal_message(caller: Person, refused: list[dict]) -> str:
    outsiders = [r["email"] for r in refused if r["reason"] == "not_a_member"]
    withheld = [r["email"] for r in refused if r["reason"] == "no_calendar_access"]
    parts = []
    if outsiders:
        parts.append(f"{', '.join(outsiders)}: not a member of {caller.tenant.name}")
    if withheld:
        parts.append(f"{', '.join(withheld)}: has not granted calendar access")
    return (
        "Only colleagues who granted calendar access can be asked for. "
        + "; ".join(parts)
        + ". Leave them out, or ask them to grant access on their Calendar access page."
    )


def require_own_consent(caller: Person | None) -> None:
    if caller is None or not has_granted(caller):
        raise AvailabilityRefused(
            403,
            "calendar_access_required",
            "Grant calendar access first (PUT /api/v1/me/calendar, or the Calendar access "
            "page): your own free time is part of every answer.",
        )


def record_reuse(caller: Person, people: int, age_seconds: float) -> None:
    """The audit log tells a reused answer from a call to the calendar provider."""
    entry = audit.event(
        tenant=caller.tenant,
        kind=AuditEvent.Kind.CREDENTIAL_USE,
        operation=REUSED_OPERATION,
        actor=caller,
        subject_email=caller.email,
        outcome="reused",
        latency_ms=0,
        detail=f"{people} calendars; an answer read {age_seconds:.0f} s earlier, "
        "no call to the calendar provider",
    )
    audit.credential_use(entry)


def find_availability(
    caller: Person, request: AvailabilityRequest, *, now: datetime | None = None
) -> Availability:
    """Slots when the caller and every named colleague are at work and free.

    Raises AvailabilityRefused, RuleViolation (bad input) or ProviderError (the calendar system).
    """
    now = now or timezone.now()
    check_window(request.start, request.end, now)
    check_duration(request.duration_minutes)
    check_interval(request.interval_minutes)
    people = people_to_ask(caller, request.emails)
    zone = time_zone_of(people[0])  # the caller, consent already read with everyone's
    rules = {person.email: rules_of(person) for person in people}
    notice = earliest_start(now, rules.values(), MIN_NOTICE_MINUTES) - now
    earliest = max(request.start, now + notice).replace(second=0, microsecond=0)
    if request.end - earliest < timedelta(minutes=request.duration_minutes):
        return Availability(zone, [], people)  # nothing fits: no need to ask the calendar

    # Busy time just outside the window still matters to the buffers.
    reach_back, reach_on = widest_buffers(rules.values())
    provider = provider_for(caller.tenant, caller)
    answer = free_busy_reused(
        provider,
        tenant_id=caller.tenant_id,
        as_email=caller.email,
        emails=[p.email for p in people],
        start=earliest - reach_back,
        end=request.end + reach_on,
    )
    if answer.reused:
        record_reuse(caller, len(people), answer.age_seconds)
    free_busy = answer.free_busy
    unknown = dict(free_busy.unknown)
    for person in people:
        if person.email not in free_busy.busy and person.email not in unknown:
            unknown[person.email] = "missing"
    if unknown:
        return Availability(zone, [], people, unknown)
    busy = {
        person.email: _without([i.seconds for i in free_busy.busy[person.email]], request.moving)
        for person in people
    }
    starts = _meeting_starts(people, rules, earliest, request.end, request.moving_booking)
    participants = [
        Participant(
            time_zone_of(person),
            working_hours_of(person),
            blocked_time(
                busy[person.email], rules[person.email], time_zone_of(person), starts[person.pk]
            ),
        )
        for person in people
    ]
    query = SlotQuery(
        start=request.start,
        end=request.end,
        duration_minutes=request.duration_minutes,
        time_zone=zone,
        now=now,
        interval_minutes=request.interval_minutes,
        min_notice_minutes=int(notice.total_seconds() // 60),
    )
    return Availability(zone, common_slot_spans(participants, query), people, busy=busy)


def _without(busy: list[Span], own: tuple[datetime, datetime] | None) -> list[Span]:
    """Busy time less the meeting being moved: its old time is no conflict for itself."""
    merged = merge(busy)
    if own is None or not merged:
        return merged
    return subtract(merged, [to_span(*own)], 1)


def _meeting_starts(
    people, rules, start: datetime, end: datetime, leave_out=None
) -> dict[int, list[datetime]]:
    limited = [p.pk for p in people if rules[p.email].max_meetings_per_day is not None]
    found = meeting_starts(limited, start, end, leave_out=leave_out)
    return {person.pk: found.get(person.pk, []) for person in people}


def blocked_time(
    busy: list[Span], rules: SchedulingRules, zone: str, meeting_starts: list[datetime]
) -> list[Span]:
    """Busy time widened by the person's buffers, and their full days whole."""
    return padded(busy, rules) + [
        day_span(day, zone) for day in full_days(meeting_starts, zone, rules)
    ]


def people_times(found: Availability) -> list[PersonTime]:
    """Everyone asked for, as the grid shows them: the caller first."""
    return [
        PersonTime(
            email=person.email,
            name=person.display_name,
            time_zone=time_zone_of(person),
            working_hours=working_hours_of(person),
            busy=found.busy.get(person.email, []),
            is_viewer=index == 0,
        )
        for index, person in enumerate(found.people)
    ]
