"""The demo organisation's people and their calendars, as plain data. No Django, no network.

Northwind has people in Toronto, Paris and Kolkata. Their calendars hold two working weeks of
ordinary meetings (this week and next), including the cases free/busy must get right: events
marked "show as available", invitations the person declined, and recurring series.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DOMAIN = "northwind.test"
TENANT_SLUG = "demo"
TENANT_NAME = "Northwind (demo)"
TENANT_ZONE = "America/Toronto"
PROJECT_ID = "northwind-meetbridge"
SERVICE_ACCOUNT_NAME = "meetbridge-calendar"

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    time_zone: str
    admin: bool = False
    granted: bool = False  # has already granted calendar access in meetbridge
    hours: tuple[str, str] = ("09:00", "17:00")
    sign_in_note: str = ""

    def working_hours(self) -> dict[str, list[list[str]]]:
        return {day: [[self.hours[0], self.hours[1]]] for day in WEEKDAYS}


ANA = DemoPerson(
    "ana@northwind.test",
    "Ana Alvarez",
    "America/Toronto",
    admin=True,
    granted=True,
    sign_in_note="tenant admin: connects Google Workspace",
)
BEN = DemoPerson(
    "ben@northwind.test",
    "Ben Okafor",
    "America/Toronto",
    granted=True,
    sign_in_note="member: finds a time and books",
)
CHLOE = DemoPerson("chloe@northwind.test", "Chloé Martin", "Europe/Paris", granted=True)
DEV = DemoPerson(
    "dev@northwind.test",
    "Dev Patel",
    "Asia/Kolkata",
    hours=("10:00", "18:00"),
    sign_in_note="member: has not granted calendar access yet",
)
ELI = DemoPerson("eli@northwind.test", "Eli Laurent", "Europe/Paris")
PEOPLE: tuple[DemoPerson, ...] = (ANA, BEN, CHLOE, DEV, ELI)


@dataclass(frozen=True)
class DemoEvent:
    """One event on `organizer`'s calendar; `day` counts from the Monday of the first week."""

    organizer: DemoPerson
    summary: str
    day: int
    start: str
    minutes: int
    attendees: tuple[DemoPerson, ...] = ()
    declined_by: tuple[DemoPerson, ...] = ()
    show_as_available: bool = False
    rrule: str = ""
    extra: dict = field(default_factory=dict)


# Toronto 09:00-11:00 is Paris 15:00-17:00: the only hours Ben and Chloé can meet, so several
# of these sit there on purpose and the free slots that remain are easy to check by eye.
PLAN: tuple[DemoEvent, ...] = (
    DemoEvent(
        ANA,
        "Team stand-up",
        0,
        "09:30",
        15,
        (BEN,),
        rrule="RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10",
    ),
    DemoEvent(ANA, "1:1 Ana / Ben", 2, "14:00", 30, (BEN,), rrule="RRULE:FREQ=WEEKLY;COUNT=2"),
    DemoEvent(ANA, "Budget review", 1, "13:00", 60),
    DemoEvent(ANA, "Focus time", 2, "10:00", 120, show_as_available=True),
    DemoEvent(
        ANA,
        "Lunch",
        0,
        "12:00",
        60,
        show_as_available=True,
        rrule="RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10",
    ),
    DemoEvent(ANA, "Quarterly planning", 8, "10:00", 90, (BEN, CHLOE)),
    DemoEvent(BEN, "Customer workshop", 0, "14:00", 90),
    DemoEvent(BEN, "Hiring sync", 3, "10:00", 45, (ANA,), declined_by=(ANA,)),
    DemoEvent(
        BEN, "Team retro", 4, "15:00", 60, (ANA, CHLOE, DEV), rrule="RRULE:FREQ=WEEKLY;COUNT=2"
    ),
    DemoEvent(
        CHLOE,
        "Paris team sync",
        0,
        "09:00",
        30,
        (ELI,),
        rrule="RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10",
    ),
    DemoEvent(CHLOE, "Product roadmap", 2, "15:00", 60, (ANA, BEN), declined_by=(BEN,)),
    DemoEvent(CHLOE, "Design review", 1, "16:00", 60, (ELI,)),
    DemoEvent(
        CHLOE,
        "Gym",
        0,
        "12:30",
        60,
        show_as_available=True,
        rrule="RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4",
    ),
    DemoEvent(CHLOE, "Interview: backend engineer", 7, "15:30", 60, (DEV,)),
    DemoEvent(CHLOE, "Vendor demo", 9, "16:00", 45, (ELI, BEN), declined_by=(ELI,)),
    DemoEvent(DEV, "Release checklist", 1, "11:00", 60, (ELI,)),
    DemoEvent(DEV, "Platform office hours", 3, "16:00", 60, rrule="RRULE:FREQ=WEEKLY;COUNT=2"),
    DemoEvent(ELI, "Customer call: Lyon", 3, "10:00", 60),
    DemoEvent(ELI, "Offsite planning", 10, "00:00", 0, extra={"all_day": True}),
)


def first_monday(today: date) -> date:
    """The Monday of the week that holds `today`: the demo's calendars start there."""
    return today - timedelta(days=today.weekday())


def _local(day: date, hhmm: str, zone: str) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=ZoneInfo(zone))


def event_body(event: DemoEvent, monday: date) -> dict:
    """The event as a Calendar API resource, in the organizer's time zone."""
    zone = event.organizer.time_zone
    day = monday + timedelta(days=event.day)
    body: dict = {"summary": event.summary}
    if event.extra.get("all_day"):
        body["start"] = {"date": day.isoformat()}
        body["end"] = {"date": (day + timedelta(days=1)).isoformat()}
    else:
        start = _local(day, event.start, zone)
        end = start + timedelta(minutes=event.minutes)
        body["start"] = {"dateTime": start.isoformat(), "timeZone": zone}
        body["end"] = {"dateTime": end.isoformat(), "timeZone": zone}
    if event.attendees:
        body["attendees"] = [
            {"email": event.organizer.email, "organizer": True, "responseStatus": "accepted"}
        ] + [
            {
                "email": person.email,
                "responseStatus": "declined" if person in event.declined_by else "accepted",
            }
            for person in event.attendees
        ]
    if event.show_as_available:
        body["transparency"] = "transparent"
    if event.rrule:
        body["recurrence"] = [event.rrule]
    return body


def calendar_plan(today: date) -> list[tuple[DemoEvent, dict]]:
    """Every demo event with its Calendar API body, for the two weeks starting this Monday."""
    monday = first_monday(today)
    return [(event, event_body(event, monday)) for event in PLAN]
