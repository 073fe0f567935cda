"""Background jobs of meetings (huey discovers this module)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from meetbridge.meetings.repair import sweep


@db_periodic_task(crontab(minute="*"))
def sweep_unsettled_bookings() -> dict[str, int]:
    return sweep()
