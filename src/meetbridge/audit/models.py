from __future__ import annotations

from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """One use of a tenant's credentials, or one change to its integration or consents.

    Holds no secret: the operation's name, who acted, on whose behalf, the outcome and
    how long it took.
    """

    class Kind(models.TextChoices):
        CREDENTIAL_USE = "credential_use", "Use of the tenant's credentials"
        INTEGRATION_CHANGE = "integration_change", "Change to the integration"
        CONSENT_CHANGE = "consent_change", "Change to a member's calendar access"
        MEETING_REPAIR = "meeting_repair", "A meeting change meetbridge could not finish"
        MEMBERSHIP = "membership", "Change to the tenant's people"
        SIGN_IN = "sign_in", "Sign-in"

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="audit")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        "tenants.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    subject_email = models.CharField(max_length=254, blank=True, help_text="person impersonated")
    operation = models.CharField(max_length=64)
    outcome = models.CharField(max_length=64, default="ok")
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The Audit page: one tenant's entries newest first, with or without a kind.
            models.Index(fields=["tenant", "-at", "-id"], name="audit_tenant_newest"),
            models.Index(fields=["tenant", "kind", "-at", "-id"], name="audit_tenant_kind_newest"),
            # The audit API: one tenant's entries in the order they were written.
            models.Index(fields=["tenant", "-id"], name="audit_tenant_latest_written"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.operation} {self.outcome}"
