"""Background jobs of the audit log (huey discovers this module)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from meetbridge.audit.retention import purge_expired


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_expired_audit_entries() -> int:
    return purge_expired()
