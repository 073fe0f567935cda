"""What the home page shows each person: where they stand and what to do next."""

from __future__ import annotations

from dataclasses import dataclass

from meetbridge.audit.models import AuditEvent
from meetbridge.scheduling.consent import has_granted, time_zone_of, working_hours_of
from meetbridge.tenants.models import Person, Tenant
from meetbridge.web.presenters import working_hours_summary


@dataclass(frozen=True)
class MyCalendar:
    granted: bool
    time_zone: str
    hours: str


@dataclass(frozen=True)
class AdminOverview:
    people: int
    granted: int
    integration: dict
    last_event: AuditEvent | None
    unfinished: list = ()  # meetings meetbridge could not finish on the calendar


def my_calendar(person: Person) -> MyCalendar:
    return MyCalendar(
        granted=has_granted(person),
        time_zone=time_zone_of(person),
        hours=working_hours_summary(working_hours_of(person)),
    )


@dataclass(frozen=True)
class UpcomingMeeting:
    title: str
    start: object
    others: str


def upcoming_meetings(person: Person, limit: int = 5) -> list[UpcomingMeeting]:
    """The person's next meetings as last recorded here (the Meetings page reads them fresh)."""
    from django.utils import timezone

    from meetbridge.meetings import states
    from meetbridge.meetings.models import Booking

    bookings = (
        Booking.objects.filter(
            tenant_id=person.tenant_id,
            participants__person=person,
            state__in=states.VISIBLE - {states.CANCELLED, states.CANCELLING},
            end__gt=timezone.now(),
        )
        .prefetch_related("participants__person")
        .order_by("start")[:limit]
    )
    return [
        UpcomingMeeting(
            title=booking.title,
            start=booking.start,
            others=", ".join(
                seat.person.display_name
                for seat in sorted(booking.participants.all(), key=lambda s: s.position)
                if seat.person_id != person.id
            ),
        )
        for booking in bookings
    ]


def integration_summary(tenant: Tenant) -> dict:
    """The integration as its API shows it: status, problem, last check (never the key)."""
    from meetbridge.integrations.status import describe

    return describe(tenant)


def admin_overview(tenant: Tenant) -> AdminOverview:
    people = Person.objects.filter(tenant=tenant, is_active=True)
    return AdminOverview(
        people=people.count(),
        granted=people.filter(calendar_access__granted=True).count(),
        integration=integration_summary(tenant),
        last_event=AuditEvent.objects.filter(tenant=tenant).order_by("-at", "-id").first(),
        unfinished=unfinished_meetings(tenant),
    )


@dataclass(frozen=True)
class UnfinishedMeeting:
    title: str
    start: object
    organizer: str
    problem: str


def unfinished_meetings(tenant: Tenant, limit: int = 20) -> list[UnfinishedMeeting]:
    """What meetbridge could not finish on the tenant's calendars, for its admins."""
    from meetbridge.meetings import states
    from meetbridge.meetings.unfinished import unfinished_of

    return [
        UnfinishedMeeting(
            title=booking.title,
            start=booking.start,
            organizer=booking.organizer.email,
            problem=states.unfinished_problem(booking.state, booking.withdrawal_pending)["message"],
        )
        for booking in unfinished_of(tenant)[:limit]
    ]
