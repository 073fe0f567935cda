"""Before a booking or a move: the time must suit everyone's working hours and rules.

The same rules availability offers by (scheduling/limits.py), so that a time the API or a page
accepts is one Find a time could have offered, busy time aside (checked against free/busy).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from meetbridge.integrations.provider import Interval
from meetbridge.meetings.daily import meeting_starts
from meetbridge.scheduling.consent import rules_of, time_zone_of, working_hours_of
from meetbridge.scheduling.limits import PersonSchedule, SchedulingRules, check_fits


def check_everyone_fits(
    people: Sequence, wanted: Interval, *, now: datetime, leave_out=None
) -> dict[str, SchedulingRules]:
    """Raises RuleViolation (422) when `wanted` breaks someone's working hours, notice or
    meetings-a-day; answers everyone's rules by e-mail, for the buffers."""
    rules = {person.email: rules_of(person) for person in people}
    limited = [p.pk for p in people if rules[p.email].max_meetings_per_day is not None]
    starts = meeting_starts(limited, wanted.start, wanted.end, leave_out=leave_out)
    check_fits(
        [
            PersonSchedule(
                email=person.email,
                name=person.name,
                time_zone=time_zone_of(person),
                working_hours=working_hours_of(person),
                rules=rules[person.email],
                meeting_starts=starts.get(person.pk, []),
            )
            for person in people
        ],
        wanted.start,
        wanted.end,
        now=now,
    )
    return rules
