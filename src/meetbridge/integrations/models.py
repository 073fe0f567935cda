from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from meetbridge.integrations import registry


class Integration(models.Model):
    """A tenant's connection to its calendar system (one per tenant)."""

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="integration"
    )
    provider = models.CharField(max_length=20)  # a name in integrations.registry.KINDS
    key_versions = models.PositiveIntegerField(default=0, help_text="keys saved so far")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.tenant} via {self.provider}"

    @property
    def kind(self) -> registry.ProviderKind:
        return registry.kind(self.provider)


class Credential(models.Model):
    """One credential the admin saved (a Google key, a Microsoft app secret or certificate),
    sealed, and what the last check of it found.

    An integration has at most two: the credential in service (verified, used for every call)
    and a newer candidate, which replaces it once it verifies. Only public identifiers are in
    the clear, in `public`, whose shape the provider's typed conf (`kind.conf`) defines; the
    whole secret is in `sealed_secret`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        VERIFIED = "verified", "Verified"
        FAILED = "failed", "Failed"

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="credentials"
    )
    provider = models.CharField(max_length=20)  # the kind this credential is for
    version = models.PositiveIntegerField()
    in_service = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)

    public = models.JSONField(
        default=dict, help_text="identifiers that may be shown, validated by the provider's conf"
    )
    secret_id = models.CharField(
        max_length=128, help_text="names the secret without revealing it; the seal is bound to it"
    )
    sealed_secret = models.TextField(help_text="the whole secret, encrypted (Fernet)")
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="when the credential stops working by itself"
    )

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
        return f"{self.provider} credential v{self.version} ({self.status})"

    @property
    def cache_key(self) -> str:
        """Tokens are cached per key: a new key never reuses a token of the old one."""
        return f"integration:{self.integration_id}:v{self.version}"

    @property
    def bound_to(self) -> str:
        return f"tenant:{self.integration.tenant_id}:key:{self.secret_id}"

    @property
    def conf(self):
        """`public`, validated by the provider's typed conf (a pydantic model)."""
        return self.kind.conf.model_validate(self.public)

    @property
    def identity(self) -> str:
        """Who the credential signs in as, for the audit log."""
        return self.kind.identity(self.public)

    @property
    def kind(self) -> registry.ProviderKind:
        return registry.kind(self.provider)

    @property
    def problem(self) -> dict[str, str] | None:
        if not self.problem_code:
            return None
        return {"code": self.problem_code, "message": self.problem_message, "fix": self.problem_fix}
