"""After a provider vouched for someone: which person signs in, or why nobody does.

1. Known `(provider, subject)`: that person, if still active and still of the tenant that the
   identity's organisation names.
2. Unknown subject, the verified e-mail is a member's: linked once, then found by subject only.
   If that member is already linked to a *different* subject at this provider (the address was
   re-created, e.g. on a re-bought domain), nothing is linked: an admin must re-invite.
3. Nobody yet: an invitation for the address makes them a person with its role; otherwise the
   tenant's join policy decides (`domain`: joins as a member; `invite_only`: refused).

Every refusal where a tenant is known is audited; nothing is created by a refusal.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from meetbridge.accounts.claims import SignInRefused, VerifiedIdentity
from meetbridge.audit.models import AuditEvent
from meetbridge.audit.service import record
from meetbridge.tenants import membership
from meetbridge.tenants.models import Identity, Invitation, Person, Tenant
from meetbridge.tenants.rules import email_domain


def tenant_domain(tenant) -> str:
    return tenant.domain


def audit_sign_in(tenant, operation: str, *, person=None, email: str = "", outcome="ok", detail=""):
    if tenant is None:
        return
    record(
        tenant=tenant,
        kind=AuditEvent.Kind.SIGN_IN,
        operation=operation,
        actor=person,
        actor_email="" if person else email,
        subject_email=email,
        outcome=outcome,
        detail=detail,
    )


def refuse(
    code: str, message: str, *, tenant=None, email: str = "", provider: str = ""
) -> SignInRefused:
    audit_sign_in(
        tenant,
        f"sign_in.{provider}_refused" if provider else "sign_in.refused",
        email=email,
        outcome=code,
    )
    return SignInRefused(code, message, tenant=tenant, email=email)


def person_for(
    identity: VerifiedIdentity,
    tenant: Tenant | None,
    invitation: Invitation | None = None,
    organisation_of=tenant_domain,
) -> Person:
    """The person to sign in, created or linked as the rules above say; SignInRefused otherwise.

    `organisation_of(tenant)` is what the identity's `organisation` must be for that tenant
    (Google: its domain; Microsoft: its connected directory's id)."""
    provider = identity.provider
    if invitation is not None:
        _check_invitation_matches(identity, invitation, organisation_of)
    linked = (
        Identity.objects.select_related("person__tenant")
        .filter(provider=provider, subject=identity.subject)
        .first()
    )
    if linked is not None:
        return _known(identity, linked, organisation_of)
    if tenant is None:
        raise refuse(
            "no_tenant",
            f"No organisation on meetbridge uses {identity.organisation_words}. If yours "
            "should, ask its admin to invite you, or the "
            "operator of this meetbridge to set your organisation up.",
            email=identity.email,
        )
    if email_domain(identity.email) != tenant.domain:
        raise refuse(
            "outside_domain",
            f"{identity.email} is not an address of {tenant.domain}, the domain {tenant.name} "
            f"uses on meetbridge. Sign in with your {tenant.domain} address.",
            tenant=tenant,
            email=identity.email,
            provider=provider,
        )
    existing = Person.objects.select_related("tenant").filter(email=identity.email).first()
    if existing is not None:
        return _link_existing(identity, tenant, existing, invitation)
    return _join(identity, tenant, invitation, organisation_of)


def _check_invitation_matches(identity, invitation: Invitation, organisation_of) -> None:
    if identity.organisation != organisation_of(invitation.tenant):
        raise refuse(
            "wrong_tenant",
            f"The invitation is for {invitation.tenant.name} ({invitation.tenant.domain}), but "
            f"you signed in with a {identity.account_kind} of {identity.organisation_words}. "
            f"Choose your {invitation.tenant.domain} account.",
            tenant=invitation.tenant,
            email=identity.email,
            provider=identity.provider,
        )
    if identity.email != invitation.email:
        raise refuse(
            "wrong_account",
            f"The invitation is for {invitation.email}, but you signed in as {identity.email}. "
            f"Choose the {invitation.email} account.",
            tenant=invitation.tenant,
            email=identity.email,
            provider=identity.provider,
        )


def _known(identity, linked: Identity, organisation_of) -> Person:
    person = linked.person
    if not person.is_active:
        raise refuse(
            "removed",
            f"{person.email} was removed from {person.tenant.name}. Ask an admin to invite you "
            "again if that was a mistake.",
            tenant=person.tenant,
            email=identity.email,
            provider=identity.provider,
        )
    if person.tenant is None or organisation_of(person.tenant) != identity.organisation:
        raise refuse(
            "wrong_tenant",
            f"This {identity.account_kind} now belongs to {identity.organisation_words}, "
            f"which is not {person.tenant.name if person.tenant else 'an organisation here'}'s; "
            "it cannot sign in to that organisation.",
            tenant=person.tenant,
            email=identity.email,
            provider=identity.provider,
        )
    # Routine sign-ins are not audited (the log is for changes and refusals); last use is kept.
    Identity.objects.filter(pk=linked.pk).update(last_used_at=timezone.now())
    return person


def _link_existing(identity, tenant, person: Person, invitation) -> Person:
    if person.tenant_id != tenant.id:
        raise refuse(
            "other_tenant",
            f"{person.email} belongs to another organisation on meetbridge.",
            tenant=tenant,
            email=identity.email,
            provider=identity.provider,
        )
    if Identity.objects.filter(person=person, provider=identity.provider).exists():
        raise refuse(
            "account_recreated",
            f"{person.email} is linked to a different {identity.account_kind} than the one you "
            "signed in with (the address may have been deleted and created again, or moved to "
            "another account). Ask an admin of "
            f"{tenant.name} to remove and re-invite you.",
            tenant=tenant,
            email=identity.email,
            provider=identity.provider,
        )
    if not person.is_active:
        pending = invitation or _pending_invitation(tenant, person.email)
        if pending is None:
            raise refuse(
                "removed",
                f"{person.email} was removed from {tenant.name}. Ask an admin to invite you "
                "again if that was a mistake.",
                tenant=tenant,
                email=identity.email,
                provider=identity.provider,
            )
        person = membership.accept(pending)
    _link(identity, person)
    audit_sign_in(
        tenant,
        f"sign_in.{identity.provider}_linked",
        person=person,
        email=person.email,
        detail="first sign-in: linked by verified e-mail",
    )
    return person


def _pending_invitation(tenant, email: str) -> Invitation | None:
    now = timezone.now()
    return (
        Invitation.objects.filter(
            tenant=tenant,
            email=email,
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=now,
        )
        .order_by("-created_at")
        .first()
    )


def _join(identity, tenant, invitation, organisation_of=tenant_domain) -> Person:
    pending = invitation or _pending_invitation(tenant, identity.email)
    if pending is not None:
        with transaction.atomic():
            person = membership.accept(pending, name=identity.name)
            _link(identity, person)
        return person
    if tenant.join_policy != Tenant.JoinPolicy.DOMAIN:
        raise refuse(
            "invite_only",
            f"{tenant.name} lets people in by invitation only, and {identity.email} has no "
            "invitation. Ask an admin of your organisation to invite you from the Members page.",
            tenant=tenant,
            email=identity.email,
            provider=identity.provider,
        )
    try:
        with transaction.atomic():
            person = Person.objects.create_user(
                identity.email,
                password=None,
                name=identity.name,
                tenant=tenant,
                role=Person.Role.MEMBER,
            )
            _link(identity, person)
    except IntegrityError:  # the same person's second tab won the race
        return person_for(identity, tenant, organisation_of=organisation_of)
    record(
        tenant=tenant,
        kind=AuditEvent.Kind.MEMBERSHIP,
        operation="member.joined",
        actor=person,
        subject_email=person.email,
        detail=f"joined by {identity.provider} sign-in (join policy: domain)",
    )
    return person


def _link(identity: VerifiedIdentity, person: Person) -> Identity:
    return Identity.objects.create(
        person=person,
        provider=identity.provider,
        subject=identity.subject,
        email=identity.email,
        last_used_at=timezone.now(),
    )
