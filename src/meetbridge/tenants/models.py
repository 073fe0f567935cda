from __future__ import annotations

import functools
import hashlib
import secrets
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import connection, models
from django.utils import timezone

from meetbridge.rows import Columns
from meetbridge.tenants.rules import normalise_email


def validate_time_zone(value: str) -> None:
    from django.core.exceptions import ValidationError

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"{value!r} is not an IANA time zone such as 'Europe/Paris'."
        ) from exc


class Tenant(models.Model):
    """An organisation: its people share one Google Workspace domain."""

    class JoinPolicy(models.TextChoices):
        INVITE_ONLY = "invite_only", "Only people an admin invites"
        DOMAIN = "domain", "Anyone with a verified account of the domain"

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, unique=True, help_text="Workspace domain")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    join_policy = models.CharField(
        max_length=16, choices=JoinPolicy.choices, default=JoinPolicy.INVITE_ONLY
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> Person:
        # Sign-in with "Ana@Acme.test" finds ana@acme.test: addresses are case-insensitive.
        return self.get(email=username.strip().lower())

    def create_user(self, email: str, password: str | None = None, **fields) -> Person:
        person = self.model(email=normalise_email(email), **fields)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **fields) -> Person:
        """An operator of the installation (Django admin), not a member of any tenant."""
        fields.update(is_staff=True, is_superuser=True, tenant=None)
        return self.create_user(email, password, **fields)


class Person(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in: a member or admin of exactly one tenant."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Tenant admin"
        MEMBER = "member", "Member"

    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=200, blank=True)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="people", null=True, blank=True
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tenant__isnull=False) | models.Q(is_staff=True),
                name="person_has_tenant_unless_operator",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_tenant_admin(self) -> bool:
        return self.tenant_id is not None and self.role == self.Role.ADMIN

    @property
    def display_name(self) -> str:
        return self.name or self.email


def hash_token(raw: str) -> str:
    # API tokens carry 256 bits of randomness, so a fast hash is enough (no stretching needed).
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bearer token; only its hash is stored, the token itself is shown once."""

    PREFIX = "mb_"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="first characters, to tell tokens apart")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.hint}… ({self.person})"

    @classmethod
    def issue(cls, person: Person, *, name: str = "", expires_at=None) -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            person=person,
            name=name,
            token_hash=hash_token(raw),
            hint=raw[:10],
            expires_at=expires_at,
        )
        return token, raw

    @classmethod
    def find_person(cls, raw: str) -> Person | None:
        now = timezone.now()
        # Read by its unique hash alone, with its person and tenant, the rest checked here:
        # every API request makes this query (SQL written once, see meetbridge/rows.py).
        token = _token_with_person(hash_token(raw))
        if token is None or not token.person.is_active:
            return None
        if token.expires_at is not None and token.expires_at <= now:
            return None
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.person


_TOKEN, _PERSON, _TENANT = Columns(ApiToken, "t"), Columns(Person, "p"), Columns(Tenant, "x")


@functools.cache
def _token_query() -> str:
    return (
        f"SELECT {_TOKEN.select}, {_PERSON.select}, {_TENANT.select} FROM {_TOKEN.table} "  # noqa: S608 - names from the models, the value bound
        f"JOIN {_PERSON.table} ON {_PERSON.column('id')} = {_TOKEN.column('person')} "
        f"LEFT JOIN {_TENANT.table} ON {_TENANT.column('id')} = {_PERSON.column('tenant')} "
        f"WHERE {_TOKEN.column('token_hash')} = %s"
    )


def _token_with_person(token_hash: str) -> ApiToken | None:
    """As `select_related("person__tenant").filter(token_hash=...)` reads it."""
    with connection.cursor() as cursor:
        cursor.execute(_token_query(), [token_hash])
        row, db = cursor.fetchone(), cursor.db
    if row is None:
        return None
    token = _TOKEN.build(row, db)
    person = _PERSON.build(row, db, len(_TOKEN))
    tenant = _TENANT.build(row, db, len(_TOKEN) + len(_PERSON))
    Person._meta.get_field("tenant").set_cached_value(person, tenant)
    ApiToken._meta.get_field("person").set_cached_value(token, person)
    return token


class Identity(models.Model):
    """A person's account at an identity provider, keyed by the provider's stable subject.

    Google's `sub` never changes and is never reused, unlike the e-mail address; a person is
    found by (provider, subject) on every sign-in after the first.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identities")
    provider = models.CharField(max_length=32)
    subject = models.CharField(max_length=255)
    email = models.EmailField(max_length=254, help_text="the address when it was linked")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_unique_subject"),
            models.UniqueConstraint(
                fields=["person", "provider"], name="identity_one_per_provider"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject} ({self.person})"


def new_invitation_nonce() -> str:
    return secrets.token_hex(16)


class Invitation(models.Model):
    """An admin's invitation for one address to join the tenant; its link works once."""

    class Status(models.TextChoices):
        PENDING = "pending"
        ACCEPTED = "accepted"
        WITHDRAWN = "withdrawn"
        EXPIRED = "expired"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=10, choices=Person.Role.choices, default=Person.Role.MEMBER)
    # Part of the signed link; a new nonce would make older links dead.
    nonce = models.CharField(max_length=32, default=new_invitation_nonce)
    invited_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "email"])]

    def __str__(self) -> str:
        return f"{self.email} to {self.tenant.slug}"

    def status_at(self, now) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.withdrawn_at:
            return self.Status.WITHDRAWN
        if self.expires_at <= now:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())
