from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Integration(models.Model):
    """A tenant's connection to its calendar system (one per tenant)."""

    class Provider(models.TextChoices):
        GOOGLE = "google", "Google Workspace"

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="integration"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices)
    key_versions = models.PositiveIntegerField(default=0, help_text="keys saved so far")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.tenant} via {self.get_provider_display()}"


class Credential(models.Model):
    """One uploaded service-account key, sealed, and what the last check of it found.

    An integration has at most two: the key in service (verified, used for every call) and
    a newer candidate, which replaces it once it verifies. Only public identifiers of the key
    are in clear columns; the whole key is in `sealed_key`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        VERIFIED = "verified", "Verified"
        FAILED = "failed", "Failed"

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="credentials"
    )
    version = models.PositiveIntegerField()
    in_service = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    client_email = models.CharField(max_length=254)
    client_id = models.CharField(max_length=32)
    project_id = models.CharField(max_length=100)
    private_key_id = models.CharField(max_length=64)
    sealed_key = models.TextField(help_text="the whole key file, encrypted (Fernet)")

    saved_by = models.ForeignKey(
        "tenants.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    saved_at = models.DateTimeField(default=timezone.now)

    checked_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    problem_code = models.CharField(max_length=40, blank=True)
    problem_message = models.TextField(blank=True)
    problem_fix = models.TextField(blank=True)
    problem_heals = models.BooleanField(default=False)
    failed_checks = models.PositiveIntegerField(default=0, help_text="in a row")
    next_check_at = models.DateTimeField(null=True, blank=True)
    # Bumped whenever a new round of checks starts; a scheduled re-check carrying an older
    # number stands down, so "Check again" never leaves two schedules running.
    check_round = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration"],
                condition=Q(in_service=True),
                name="one_credential_in_service",
            ),
            models.UniqueConstraint(
                fields=["integration"],
                condition=Q(in_service=False),
                name="one_candidate_credential",
            ),
            models.UniqueConstraint(fields=["integration", "version"], name="credential_version"),
        ]

    def __str__(self) -> str:
        return f"{self.client_email} v{self.version} ({self.status})"

    @property
    def cache_key(self) -> str:
        """Tokens are cached per key: a new key never reuses a token of the old one."""
        return f"integration:{self.integration_id}:v{self.version}"

    @property
    def bound_to(self) -> str:
        return f"tenant:{self.integration.tenant_id}:key:{self.private_key_id}"

    @property
    def public(self) -> dict[str, str]:
        """The credential's identifiers that may be shown (never the secret)."""
        return {
            "client_email": self.client_email,
            "client_id": self.client_id,
            "project_id": self.project_id,
            "private_key_id": self.private_key_id,
        }

    @property
    def identity(self) -> str:
        """Who the credential signs in as, for the audit log."""
        return self.client_email

    @property
    def problem(self) -> dict[str, str] | None:
        if not self.problem_code:
            return None
        return {"code": self.problem_code, "message": self.problem_message, "fix": self.problem_fix}
