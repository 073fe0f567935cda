"""A person's calendar consent, time zone and working hours: reading and changing them.

Granting and revoking are the only ways consent changes, and each change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from meetbridge.audit import service as audit
from meetbridge.audit.models import AuditEvent
from meetbridge.scheduling.limits import FIELDS as RULE_FIELDS
from meetbridge.scheduling.limits import NO_RULES, SchedulingRules, check_rules, describe
from meetbridge.scheduling.models import DEFAULT_WORKING_HOURS, CalendarAccess
from meetbridge.scheduling.rules import check_time_zone, check_working_hours


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


def rules_of(person) -> SchedulingRules:
    access = access_of(person)
    if access is None:
        return NO_RULES
    return SchedulingRules(**{name: getattr(access, name) for name in RULE_FIELDS})


@dataclass(frozen=True)
class Consent:
    granted: bool
    time_zone: str
    working_hours: dict[str, list[list[str]]]
    rules: SchedulingRules = NO_RULES


def consent_of(person) -> Consent:
    return Consent(
        has_granted(person), time_zone_of(person), working_hours_of(person), rules_of(person)
    )


def describe_hours(hours: dict[str, list[list[str]]]) -> str:
    return "; ".join(
        f"{day} " + ", ".join(f"{start}-{end}" for start, end in ranges)
        for day, ranges in hours.items()
    )


def _record(person, operation: str, detail: str) -> None:
    audit.record(
        tenant=person.tenant,
        kind=AuditEvent.Kind.CONSENT_CHANGE,
        operation=operation,
        actor=person,
        subject_email=person.email,
        detail=detail,
    )


def grant(
    person, *, time_zone: str | None = None, working_hours=None, rules: dict | None = None
) -> Consent:
    """Grant calendar access, optionally setting the zone, working hours and scheduling rules
    (`rules`: any of `limits.FIELDS`; left out: unchanged).

    Left out, the zone and hours stay as they were: the defaults (the tenant's zone, Monday
    to Friday 09:00-17:00) for someone who never set them. Raises RuleViolation on bad input,
    having changed nothing.
    """
    zone = check_time_zone(time_zone) if time_zone is not None else None
    hours = check_working_hours(working_hours) if working_hours is not None else None
    with transaction.atomic():
        access, _ = CalendarAccess.objects.select_for_update().get_or_create(person=person)
        old_rules = SchedulingRules(**{name: getattr(access, name) for name in RULE_FIELDS})
        new_rules = check_rules(rules or {}, old_rules)  # a refusal rolls everything back
        before = (access.granted, access.time_zone, access.working_hours, old_rules)
        access.granted = True
        if zone is not None:
            access.time_zone = zone
        if hours is not None:
            access.working_hours = hours
        for name, value in new_rules.as_dict().items():
            setattr(access, name, value)
        if (access.granted, access.time_zone, access.working_hours, new_rules) != before:
            access.changed_at = timezone.now()
            access.save()
            person.calendar_access = access
            current = consent_of(person)
            _record(
                person,
                "calendar_access.changed" if before[0] else "calendar_access.granted",
                f"time zone {current.time_zone}; working hours "
                f"{describe_hours(current.working_hours)}"
                + "".join(f"; {words}" for words in describe(current.rules)),
            )
    person.calendar_access = access
    return consent_of(person)


def revoke(person) -> bool:
    """Withdraw calendar access; True if it had been granted. Zone and hours are kept."""
    with transaction.atomic():
        access = CalendarAccess.objects.select_for_update().filter(person=person).first()
        if access is None or not access.granted:
            return False
        access.granted = False
        access.changed_at = timezone.now()
        access.save(update_fields=["granted", "changed_at"])
        _record(person, "calendar_access.revoked", "calendar access withdrawn")
    person.calendar_access = access
    return True
