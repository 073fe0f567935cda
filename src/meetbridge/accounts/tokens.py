"""Personal API tokens: named, optionally expiring, shown once, revocable by their owner."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from meetbridge.audit.models import AuditEvent
from meetbridge.audit.service import record
from meetbridge.tenants.models import ApiToken, Person
from meetbridge.tenants.rules import RuleViolation

MAX_DAYS = 3650
MAX_TOKENS = 50


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise RuleViolation(
            "invalid_name", "Give the token a name of 1 to 100 characters, e.g. 'CI'."
        )
    return name


def clean_days(days) -> int | None:
    if days in (None, ""):
        return None
    try:
        days = int(days)
    except (TypeError, ValueError) as exc:
        raise RuleViolation(
            "invalid_expiry", "Expiry is a whole number of days, 1 to 3650."
        ) from exc
    if not 1 <= days <= MAX_DAYS:
        raise RuleViolation("invalid_expiry", "Expiry is a whole number of days, 1 to 3650.")
    return days


def create(person: Person, *, name: str, expires_in_days=None) -> tuple[ApiToken, str]:
    name = clean_name(name)
    days = clean_days(expires_in_days)
    if ApiToken.objects.filter(person=person).count() >= MAX_TOKENS:
        raise RuleViolation("too_many_tokens", f"You have {MAX_TOKENS} tokens; revoke one first.")
    expires_at = timezone.now() + timedelta(days=days) if days else None
    token, raw = ApiToken.issue(person, name=name, expires_at=expires_at)
    _audit(person, "api_token.created", f"{name} ({token.hint}…)")
    return token, raw


def tokens_of(person: Person) -> list[ApiToken]:
    return list(ApiToken.objects.filter(person=person).order_by("-created_at"))


def revoke(person: Person, token_id: int) -> bool:
    token = ApiToken.objects.filter(person=person, pk=token_id).first()
    if token is None:
        return False
    token.delete()
    _audit(person, "api_token.revoked", f"{token.name or 'unnamed'} ({token.hint}…)")
    return True


def _audit(person: Person, operation: str, detail: str) -> None:
    if person.tenant_id is None:
        return
    record(
        tenant=person.tenant,
        kind=AuditEvent.Kind.SIGN_IN,
        operation=operation,
        actor=person,
        subject_email=person.email,
        detail=detail,
    )
