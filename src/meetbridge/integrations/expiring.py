"""Expiring credentials: an audit entry once per warning threshold (30, 7, 1 days, expired).

The thresholds already written are read back from the audit log itself (outcome `30d`, `7d`,
`1d`, `0d` for the credential's version), so no extra state is kept.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from meetbridge.audit.models import AuditEvent
from meetbridge.integrations.access import audit_change
from meetbridge.integrations.expiry import due_audit
from meetbridge.integrations.models import Credential

OPERATION = "integration.credential_expiring"


def _tag(credential: Credential) -> str:
    return f"(version {credential.version})"


def _last_warned(credential: Credential) -> int | None:
    outcomes = AuditEvent.objects.filter(
        tenant=credential.integration.tenant,
        operation=OPERATION,
        detail__endswith=_tag(credential),
    ).values_list("outcome", flat=True)
    days = [int(o[:-1]) for o in outcomes if o.endswith("d") and o[:-1].isdigit()]
    return min(days) if days else None


def warn_due(now: datetime | None = None) -> int:
    """Writes the audit entries now due; answers how many."""
    now = now or timezone.now()
    written = 0
    credentials = Credential.objects.select_related("integration__tenant").filter(
        in_service=True, expires_at__isnull=False
    )
    for credential in credentials:
        threshold = due_audit(credential.expires_at, now, _last_warned(credential))
        if threshold is None:
            continue
        what = "expired" if threshold == 0 else f"expires within {threshold} day(s)"
        audit_change(
            credential.integration.tenant,
            None,
            OPERATION,
            outcome=f"{threshold}d",
            detail=f"{credential.kind.label} {credential.kind.wording.credential} of "
            f"{credential.identity} {what}, on {credential.expires_at:%Y-%m-%d %H:%M} UTC "
            + _tag(credential),
        )
        written += 1
    return written
