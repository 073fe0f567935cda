from __future__ import annotations

from django.db import models
from django.utils import timezone

# Monday to Friday, 09:00-17:00 local time: what a member gets unless they say otherwise.
DEFAULT_WORKING_HOURS: dict[str, list[list[str]]] = {
    day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
}


class CalendarAccess(models.Model):
    """A member's explicit consent to have their calendar used, and their working week.

    No row, or `granted=False`, means meetbridge never reads or writes that person's calendar.
    """

    person = models.OneToOneField(
        "tenants.Person", on_delete=models.CASCADE, related_name="calendar_access"
    )
    granted = models.BooleanField(default=False)
    time_zone = models.CharField(max_length=64, blank=True, help_text="blank: the tenant's zone")
    working_hours = models.JSONField(default=dict, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    # Scheduling rules (see scheduling/limits.py for what each means).
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    minimum_notice_minutes = models.PositiveIntegerField(default=0)
    max_meetings_per_day = models.PositiveSmallIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.person} ({'granted' if self.granted else 'not granted'})"
