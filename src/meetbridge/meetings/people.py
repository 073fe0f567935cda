"""Who may take part in a meeting: colleagues of the same tenant who granted calendar access."""

from __future__ import annotations

from collections.abc import Sequence

from meetbridge.scheduling.availability import members_with_consent
from meetbridge.scheduling.consent import has_granted
from meetbridge.tenants.models import Person
from meetbridge.tenants.rules import RuleViolation


def participants(organizer: Person, attendee_emails: Sequence[str]) -> list[Person]:
    """The organizer then each attendee, in the order given; refuses anyone not allowed.

    One query reads everyone with their consent, the organizer too (the columns a meeting uses;
    the others are deferred).
    """
    # Availability's read of the same (SQL written once): it is on a booking's critical path,
    # before the free/busy re-check may leave.
    found = {person.email: person for person in members_with_consent(organizer, attendee_emails)}
    me = found.get(organizer.email, organizer)
    if not has_granted(me):
        raise RuleViolation(
            "calendar_access_not_granted",
            "Grant meetbridge access to your calendar (Calendar access page, or PUT "
            "/api/v1/me/calendar) before booking meetings.",
        )
    people = [me]
    for email in attendee_emails:
        person = found.get(email)
        # One message for "not a colleague" and "has not granted access": neither can be invited.
        if person is None or not has_granted(person):
            raise RuleViolation(
                "attendee_not_available",
                f"{email} is not a colleague who granted meetbridge access to their calendar; "
                "only such colleagues can be invited.",
            )
        people.append(person)
    return people


def still_allowed(people: Sequence[Person]) -> None:
    """Before a change: everyone in the meeting still lets meetbridge use their calendar."""
    for person in people:
        if not has_granted(person):
            raise RuleViolation(
                "attendee_not_available",
                f"{person.email} revoked meetbridge's access to their calendar, so the meeting "
                "cannot be moved through meetbridge; change it in the calendar itself.",
            )
