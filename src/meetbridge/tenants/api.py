from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from meetbridge.api.auth import caller
from meetbridge.api.errors import ApiError, forbidden
from meetbridge.api.schemas import ErrorOut, JsonObjectIn
from meetbridge.mail.send import absolute, send_invitation
from meetbridge.scheduling.consent import has_granted, rules_of, time_zone_of, working_hours_of
from meetbridge.tenants import membership
from meetbridge.tenants import service as settings_service
from meetbridge.tenants.models import Person
from meetbridge.tenants.rules import RuleViolation

router = Router(tags=["people"])


class TenantOut(Schema):
    slug: str
    name: str
    domain: str
    time_zone: str


class MeOut(Schema):
    email: str
    name: str
    role: str
    tenant: TenantOut
    calendar_access: bool
    time_zone: str
    working_hours: dict[str, list[list[str]]]
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    minimum_notice_minutes: int = 0
    max_meetings_per_day: int | None = None


class MemberOut(Schema):
    email: str
    name: str
    role: str
    calendar_access: bool


def admin_caller(request: HttpRequest) -> Person:
    """The caller, who must be an admin of their tenant (403 otherwise)."""
    person = caller(request)
    if not person.is_tenant_admin:
        raise forbidden()
    return person


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The caller")
def me(request: HttpRequest):
    person = caller(request)
    tenant = person.tenant
    return {
        "email": person.email,
        "name": person.name,
        "role": person.role,
        "tenant": {
            "slug": tenant.slug,
            "name": tenant.name,
            "domain": tenant.domain,
            "time_zone": tenant.time_zone,
        },
        "calendar_access": has_granted(person),
        "time_zone": time_zone_of(person),
        "working_hours": working_hours_of(person),
        **rules_of(person).as_dict(),
    }


@router.get(
    "/members",
    response={200: list[MemberOut], 401: ErrorOut, 403: ErrorOut},
    summary="The tenant's people (admins only)",
)
def members(request: HttpRequest):
    person = admin_caller(request)
    people = (
        Person.objects.filter(tenant=person.tenant, is_active=True)
        .select_related("calendar_access")
        .order_by("email")
    )
    return [
        {"email": p.email, "name": p.name, "role": p.role, "calendar_access": has_granted(p)}
        for p in people
    ]


# --- the tenant and its people (admins) ---------------------------------------------------


class TenantSettingsOut(Schema):
    name: str
    domain: str
    time_zone: str
    join_policy: str


class TenantPatch(JsonObjectIn):
    name: str | None = None
    time_zone: str | None = None
    join_policy: str | None = None


class InvitationIn(JsonObjectIn):
    email: str
    role: str = "member"


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    status: str
    expires_at: datetime
    accept_url: str


class RoleIn(JsonObjectIn):
    role: str


def _refusals(action, *args, **kwargs):
    """membership's refusals in the API's shape: 409 for conflicts, 404 for unknown names."""
    try:
        return action(*args, **kwargs)
    except membership.Conflict as conflict:
        raise ApiError(409, conflict.code, conflict.message) from conflict
    except RuleViolation as violation:
        if violation.code == "not_found":
            raise ApiError(404, "not_found", violation.message) from violation
        raise


def _tenant_settings(tenant) -> dict:
    return {
        "name": tenant.name,
        "domain": tenant.domain,
        "time_zone": tenant.time_zone,
        "join_policy": tenant.join_policy,
    }


@router.get("/tenant", response={200: TenantSettingsOut, 401: ErrorOut, 403: ErrorOut})
def tenant_settings(request: HttpRequest):
    return _tenant_settings(admin_caller(request).tenant)


@router.patch(
    "/tenant", response={200: TenantSettingsOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
)
def change_tenant(request: HttpRequest, body: TenantPatch):
    admin = admin_caller(request)
    tenant = settings_service.change_tenant(
        admin.tenant,
        actor=admin,
        name=body.name,
        time_zone=body.time_zone,
        join_policy=body.join_policy,
    )
    return _tenant_settings(tenant)


def _invitation_out(request: HttpRequest, invitation) -> dict:
    return {
        "id": invitation.id,
        "email": invitation.email,
        "role": invitation.role,
        "status": invitation.status,
        "expires_at": invitation.expires_at,
        "accept_url": absolute(membership.accept_path(invitation), request),
    }


@router.get(
    "/members/invitations",
    response={200: list[InvitationOut], 401: ErrorOut, 403: ErrorOut},
    summary="Pending invitations",
)
def invitations(request: HttpRequest):
    admin = admin_caller(request)
    return [_invitation_out(request, i) for i in membership.pending_invitations(admin.tenant)]


@router.post(
    "/members/invitations",
    response={201: InvitationOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Invite someone by e-mail",
)
def invite(request: HttpRequest, body: InvitationIn):
    admin = admin_caller(request)
    invitation = _refusals(
        membership.invite, tenant=admin.tenant, actor=admin, email=body.email, role=body.role
    )
    out = _invitation_out(request, invitation)
    send_invitation(invitation, out["accept_url"])
    return Status(201, out)


@router.delete(
    "/members/invitations/{invitation_id}",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Withdraw an invitation",
)
def withdraw_invitation(request: HttpRequest, invitation_id: int):
    admin = admin_caller(request)
    invitation = _refusals(membership.find_invitation, admin.tenant, invitation_id)
    _refusals(membership.withdraw, invitation, actor=admin)
    return Status(204, None)


@router.patch(
    "/members/{email}",
    response={
        200: MemberOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Change a member's role",
)
def change_role(request: HttpRequest, email: str, body: RoleIn):
    admin = admin_caller(request)
    person = _refusals(membership.member_of, admin.tenant, email)
    person = _refusals(membership.change_role, person, body.role, actor=admin)
    return {
        "email": person.email,
        "name": person.name,
        "role": person.role,
        "calendar_access": has_granted(person),
    }


@router.delete(
    "/members/{email}",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Remove a person: sessions and tokens end at once, calendar access revoked",
)
def remove_member(request: HttpRequest, email: str):
    admin = admin_caller(request)
    person = _refusals(membership.member_of, admin.tenant, email)
    _refusals(membership.remove, person, actor=admin)
    return Status(204, None)
