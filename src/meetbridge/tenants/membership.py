"""Who belongs to a tenant: invitations, roles and removal, each step in the audit log.

Pages and the API call these; the rules are checked here once. An invitation's link is a signed
(invitation id, nonce) pair, so it can be shown again to the admin without storing a secret, and
it stops working once the invitation is accepted, withdrawn or expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetbridge.audit.models import AuditEvent
from meetbridge.audit.service import record
from meetbridge.tenants.models import ApiToken, Identity, Invitation, Person, Tenant
from meetbridge.tenants.rules import RuleViolation, check_email_in_domain, normalise_email

INVITATION_DAYS = 7
LINK_SALT = "meetbridge.invitation"


class Conflict(RuleViolation):
    """A request that the current state refuses (answered 409)."""


class Gone(RuleViolation):
    """An invitation that no longer works (answered 410 by the API, a page by the web)."""


def _audit(
    tenant: Tenant, operation: str, *, actor=None, subject: str = "", outcome="ok", detail=""
):
    record(
        tenant=tenant,
        kind=AuditEvent.Kind.MEMBERSHIP,
        operation=operation,
        actor=actor,
        actor_email="" if actor else "meetbridge",
        subject_email=subject,
        outcome=outcome,
        detail=detail,
    )


# --- invitations --------------------------------------------------------------------------


def link_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=LINK_SALT, compress=True)


def accept_path(invitation: Invitation) -> str:
    return f"/join/{link_token(invitation)}"


def pending_invitations(tenant: Tenant) -> list[Invitation]:
    now = timezone.now()
    invitations = Invitation.objects.filter(
        tenant=tenant, accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=now
    ).order_by("-created_at")
    return list(invitations)


def invite(*, tenant: Tenant, actor: Person, email: str, role: str) -> Invitation:
    email = normalise_email(email)
    if role not in Person.Role.values:
        raise RuleViolation("invalid_role", "The role is either 'member' or 'admin'.")
    check_email_in_domain(email, tenant.domain)
    existing = Person.objects.filter(email=email).select_related("tenant").first()
    if existing is not None and existing.tenant_id != tenant.id:
        _audit(tenant, "member.invite_refused", actor=actor, subject=email, outcome="other_tenant")
        raise Conflict(
            "person_in_other_tenant",
            f"{email} already belongs to another organisation on meetbridge; it cannot be "
            "invited here.",
        )
    if existing is not None and existing.is_active:
        raise Conflict("already_member", f"{email} is already a member of {tenant.name}.")
    with transaction.atomic():
        # A new invitation replaces an earlier pending one for the same address.
        Invitation.objects.filter(
            tenant=tenant, email=email, accepted_at__isnull=True, withdrawn_at__isnull=True
        ).update(withdrawn_at=timezone.now())
        invitation = Invitation.objects.create(
            tenant=tenant,
            email=email,
            role=role,
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        _audit(tenant, "member.invited", actor=actor, subject=email, detail=f"as {role}")
    return invitation


def find_invitation(tenant: Tenant, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.filter(tenant=tenant, pk=invitation_id).first()
    if invitation is None:
        raise RuleViolation("not_found", "There is no such invitation in your organisation.")
    return invitation


def resend(invitation: Invitation, *, actor: Person) -> Invitation:
    """Sends the same link again, with a fresh expiry."""
    if invitation.status in (Invitation.Status.ACCEPTED, Invitation.Status.WITHDRAWN):
        raise Conflict("invitation_closed", f"The invitation is {invitation.status}; invite again.")
    invitation.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
    invitation.save(update_fields=["expires_at"])
    _audit(invitation.tenant, "member.invitation_resent", actor=actor, subject=invitation.email)
    return invitation


def withdraw(invitation: Invitation, *, actor: Person) -> None:
    if invitation.status == Invitation.Status.ACCEPTED:
        raise Conflict("invitation_accepted", "That invitation was already accepted.")
    if invitation.withdrawn_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
        _audit(
            invitation.tenant, "member.invitation_withdrawn", actor=actor, subject=invitation.email
        )


def invitation_from_link(token: str) -> Invitation:
    """The invitation a link stands for, if it still works; Gone (with the reason) otherwise."""
    try:
        pk, nonce = signing.loads(token, salt=LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise Gone(
            "invalid_invitation", "This invitation link is not valid; check you copied all of it."
        ) from exc
    invitation = Invitation.objects.select_related("tenant").filter(pk=pk, nonce=nonce).first()
    if invitation is None:
        raise Gone(
            "invalid_invitation", "This invitation link is not valid; check you copied all of it."
        )
    status = invitation.status
    reasons = {
        Invitation.Status.ACCEPTED: (
            "invitation_used",
            "This invitation was already used. Sign in instead, or ask an admin for a new one.",
        ),
        Invitation.Status.WITHDRAWN: (
            "invitation_withdrawn",
            "This invitation was withdrawn by an admin. Ask them for a new one if you need it.",
        ),
        Invitation.Status.EXPIRED: (
            "invitation_expired",
            "This invitation has expired. Ask an admin of the organisation to send a new one.",
        ),
    }
    if status in reasons:
        code, message = reasons[status]
        _audit(
            invitation.tenant, "member.invitation_refused", subject=invitation.email, outcome=code
        )
        raise Gone(code, message)
    return invitation


def accept(invitation: Invitation, *, password: str | None = None, name: str = "") -> Person:
    """Creates (or brings back) the invited person; the invitation is used up."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status != Invitation.Status.PENDING:
            raise Gone("invitation_used", "This invitation was already used or withdrawn.")
        tenant = invitation.tenant
        person = Person.objects.filter(email=invitation.email).first()
        if person is not None and person.tenant_id != tenant.id:
            _audit(
                tenant,
                "member.invitation_refused",
                subject=invitation.email,
                outcome="other_tenant",
            )
            raise Conflict(
                "person_in_other_tenant",
                f"{invitation.email} already belongs to another organisation on meetbridge.",
            )
        try:
            if person is None:
                person = Person.objects.create_user(
                    invitation.email,
                    password=password,
                    name=name.strip(),
                    tenant=tenant,
                    role=invitation.role,
                )
            else:  # removed earlier, invited back
                person.is_active = True
                person.role = invitation.role
                person.name = name.strip() or person.name
                person.set_password(password)
                person.save()
        except IntegrityError as exc:
            raise Conflict("person_exists", f"{invitation.email} already has an account.") from exc
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
        _audit(
            tenant,
            "member.joined",
            actor=person,
            subject=person.email,
            detail=f"invited, as {person.role}",
        )
    return person


# --- roles and removal --------------------------------------------------------------------


def member_of(tenant: Tenant, email: str) -> Person:
    person = Person.objects.filter(
        tenant=tenant, email=email.strip().lower(), is_active=True
    ).first()
    if person is None:
        raise RuleViolation("not_found", f"{email.strip()} is not a member of {tenant.name}.")
    return person


def _other_admins(person: Person) -> bool:
    return (
        Person.objects.filter(tenant=person.tenant, role=Person.Role.ADMIN, is_active=True)
        .exclude(pk=person.pk)
        .exists()
    )


def change_role(person: Person, role: str, *, actor: Person) -> Person:
    if role not in Person.Role.values:
        raise RuleViolation("invalid_role", "The role is either 'member' or 'admin'.")
    if role == person.role:
        return person
    with transaction.atomic():
        # Lock the tenant's admins so two demotions at once cannot both pass the check.
        list(
            Person.objects.select_for_update().filter(tenant=person.tenant, role=Person.Role.ADMIN)
        )
        if person.role == Person.Role.ADMIN and not _other_admins(person):
            raise Conflict(
                "last_admin",
                f"{person.email} is the only admin; make someone else an admin first.",
            )
        old = person.role
        person.role = role
        person.save(update_fields=["role"])
        _audit(
            person.tenant,
            "member.role_changed",
            actor=actor,
            subject=person.email,
            detail=f"{old} → {role}",
        )
    return person


@dataclass(frozen=True)
class Removal:
    person: Person
    upcoming: list  # web.dashboard.UpcomingMeeting: meetings they are in, left on the calendars


def remove(person: Person, *, actor: Person) -> Removal:
    """Signs the person out everywhere at once and takes away every way back in.

    Deactivation ends their sessions (Django's session backend checks `is_active` on every
    request) and their API tokens (looked up only for active people, and deleted here).
    Calendar access is revoked. Meetings already on calendars stay there: they are listed for
    the admin, who can ask the other attendees to cancel or move them.
    """
    from meetbridge.scheduling import consent
    from meetbridge.web.dashboard import upcoming_meetings

    if person.pk == actor.pk:
        raise Conflict("cannot_remove_self", "You cannot remove yourself; ask another admin.")
    upcoming = upcoming_meetings(person, limit=100)
    with transaction.atomic():
        list(
            Person.objects.select_for_update().filter(tenant=person.tenant, role=Person.Role.ADMIN)
        )
        if person.role == Person.Role.ADMIN and not _other_admins(person):
            raise Conflict("last_admin", f"{person.email} is the only admin and cannot be removed.")
        person.is_active = False
        person.role = Person.Role.MEMBER
        person.set_unusable_password()
        person.save(update_fields=["is_active", "role", "password"])
        tokens = ApiToken.objects.filter(person=person).delete()[0]
        Identity.objects.filter(person=person).delete()
        _audit(
            person.tenant,
            "member.removed",
            actor=actor,
            subject=person.email,
            detail=f"signed out everywhere; {tokens} API token(s) deleted; "
            f"{len(upcoming)} upcoming meeting(s) left on calendars",
        )
    consent.revoke(person)  # audited by consent itself
    return Removal(person=person, upcoming=upcoming)
