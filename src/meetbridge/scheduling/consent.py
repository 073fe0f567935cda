"""Reading a person's calendar consent, time zone and working hours."""

from __future__ import annotations

from meetbridge.scheduling.models import DEFAULT_WORKING_HOURS, CalendarAccess


def access_of(person) -> CalendarAccess | None:
    try:
        return person.calendar_access
    except CalendarAccess.DoesNotExist:
        return None


def has_granted(person) -> bool:
    access = access_of(person)
    return bool(access and access.granted)


def time_zone_of(person) -> str:
    access = access_of(person)
    return (access.time_zone if access and access.time_zone else None) or person.tenant.time_zone


def working_hours_of(person) -> dict[str, list[list[str]]]:
    access = access_of(person)
    return access.working_hours if access and access.working_hours else DEFAULT_WORKING_HOURS
