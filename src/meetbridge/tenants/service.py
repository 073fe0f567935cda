"""Creating tenants and people: the rules applied, then one transaction."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from meetbridge.tenants.models import ApiToken, Person, Tenant, validate_time_zone
from meetbridge.tenants.rules import (
    RuleViolation,
    check_email_in_domain,
    normalise_domain,
    normalise_email,
    normalise_slug,
)


def create_tenant(*, slug: str, name: str, domain: str, time_zone: str = "UTC") -> Tenant:
    slug = normalise_slug(slug)
    domain = normalise_domain(domain)
    name = name.strip()
    if not name:
        raise RuleViolation("invalid_name", "A tenant needs a name, e.g. --name 'Acme Inc'.")
    try:
        validate_time_zone(time_zone)
    except Exception as exc:
        raise RuleViolation("invalid_time_zone", str(exc.messages[0])) from exc
    if Tenant.objects.filter(slug=slug).exists():
        raise RuleViolation("tenant_exists", f"A tenant with slug {slug!r} already exists.")
    if Tenant.objects.filter(domain=domain).exists():
        raise RuleViolation("domain_taken", f"The domain {domain} already belongs to a tenant.")
    try:
        with transaction.atomic():
            return Tenant.objects.create(slug=slug, name=name, domain=domain, time_zone=time_zone)
    except IntegrityError as exc:  # lost a race with an identical request
        raise RuleViolation(
            "tenant_exists", f"A tenant with slug {slug!r} already exists."
        ) from exc


def get_tenant(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug.strip().lower()).first()
    if tenant is None:
        raise RuleViolation(
            "unknown_tenant",
            f"There is no tenant {slug!r}; create it with 'meetbridge createtenant'.",
        )
    return tenant


def add_person(
    *,
    tenant: Tenant,
    email: str,
    name: str = "",
    admin: bool = False,
    password: str | None = None,
) -> Person:
    email = normalise_email(email)
    check_email_in_domain(email, tenant.domain)
    if Person.objects.filter(email=email).exists():
        raise RuleViolation("person_exists", f"{email} already has an account.")
    role = Person.Role.ADMIN if admin else Person.Role.MEMBER
    try:
        with transaction.atomic():
            return Person.objects.create_user(
                email, password=password, name=name.strip(), tenant=tenant, role=role
            )
    except IntegrityError as exc:
        raise RuleViolation("person_exists", f"{email} already has an account.") from exc


def get_person(email: str) -> Person:
    person = Person.objects.select_related("tenant").filter(email=normalise_email(email)).first()
    if person is None:
        raise RuleViolation("unknown_person", f"Nobody is registered as {email.strip()}.")
    return person


def issue_api_token(email: str) -> str:
    person = get_person(email)
    if not person.is_active:
        raise RuleViolation("inactive_person", f"{person.email} is deactivated.")
    _, raw = ApiToken.issue(person)
    return raw


def change_tenant(
    tenant: Tenant,
    *,
    actor: Person,
    name: str | None = None,
    time_zone: str | None = None,
    join_policy: str | None = None,
) -> Tenant:
    """An admin's change to the tenant's name, zone or join policy, audited."""
    from meetbridge.audit.models import AuditEvent
    from meetbridge.audit.service import record

    changes = []
    if name is not None:
        if not name.strip():
            raise RuleViolation("invalid_name", "The organisation needs a name.")
        tenant.name = name.strip()[:200]
        changes.append("name")
    if time_zone is not None:
        try:
            validate_time_zone(time_zone)
        except Exception as exc:
            raise RuleViolation("invalid_time_zone", str(exc.messages[0])) from exc
        tenant.time_zone = time_zone
        changes.append("time_zone")
    if join_policy is not None:
        if join_policy not in Tenant.JoinPolicy.values:
            raise RuleViolation(
                "invalid_join_policy", "join_policy is either 'invite_only' or 'domain'."
            )
        tenant.join_policy = join_policy
        changes.append(f"join_policy={join_policy}")
    if changes:
        tenant.save()
        record(
            tenant=tenant,
            kind=AuditEvent.Kind.MEMBERSHIP,
            operation="tenant.changed",
            actor=actor,
            detail=", ".join(changes),
        )
    return tenant
