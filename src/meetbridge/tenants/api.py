from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from meetbridge.api.auth import caller
from meetbridge.api.errors import forbidden
from meetbridge.api.schemas import ErrorOut
from meetbridge.scheduling.consent import (
    has_granted,
    rules_of,
    time_zone_of,
    working_hours_of,
)
from meetbridge.tenants.models import Person

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
