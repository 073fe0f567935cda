"""Audit retention: entries older than `MEETBRIDGE_AUDIT_RETENTION_DAYS` (400) are deleted.

In batches, each its own short transaction, so a purge of millions of rows never holds a long
lock or a huge transaction. The periodic job in `tasks.py` runs it daily.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from meetbridge.audit.models import AuditEvent

DEFAULT_RETENTION_DAYS = 400
BATCH = 5000


def retention() -> timedelta:
    return timedelta(days=settings.MEETBRIDGE.get("AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def purge_expired(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Deletes every entry older than the retention period; answers how many went."""
    cutoff = (now or timezone.now()) - retention()
    purged = 0
    while True:
        ids = list(
            AuditEvent.objects.filter(at__lt=cutoff)
            .order_by("at")
            .values_list("id", flat=True)[:batch]
        )
        if not ids:
            return purged
        purged += AuditEvent.objects.filter(id__in=ids).delete()[0]
