"""The Members page: the tenant's people, invitations, roles, removal and who may join."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from meetbridge.mail.send import absolute, send_invitation
from meetbridge.scheduling.consent import access_of, time_zone_of, working_hours_of
from meetbridge.tenants import membership
from meetbridge.tenants import service as tenant_service
from meetbridge.tenants.models import Invitation, Person, Tenant
from meetbridge.tenants.rules import RuleViolation
from meetbridge.web.access import admin_page
from meetbridge.web.presenters import working_hours_summary


def _rows(tenant) -> list[dict]:
    people = (
        Person.objects.filter(tenant=tenant, is_active=True)
        .select_related("calendar_access", "tenant")
        .order_by("name", "email")
    )
    rows = []
    for person in people:
        access = access_of(person)
        granted = bool(access and access.granted)
        rows.append(
            {
                "person": person,
                "granted": granted,
                "changed_at": access.changed_at if access else None,
                "time_zone": time_zone_of(person) if granted else "",
                "hours": working_hours_summary(working_hours_of(person)) if granted else "",
            }
        )
    return rows


def _invitation_rows(request, tenant) -> list[dict]:
    return [
        {"invitation": i, "link": absolute(membership.accept_path(i), request)}
        for i in membership.pending_invitations(tenant)
    ]


@admin_page
def members(request: HttpRequest, *, invite_problem: str = "", status: int = 200) -> HttpResponse:
    tenant = request.user.tenant
    rows = _rows(tenant)
    return render(
        request,
        "web/members.html",
        {
            "rows": rows,
            "granted_count": sum(1 for r in rows if r["granted"]),
            "viewer_zone": time_zone_of(request.user),
            "invitations": _invitation_rows(request, tenant),
            "invite_problem": invite_problem,
            "invite_email": request.POST.get("email", "") if invite_problem else "",
            "roles": Person.Role.choices,
            "policies": Tenant.JoinPolicy.choices,
            "just_invited": request.session.pop("meetbridge.just_invited", None),
        },
        status=status,
    )


@admin_page
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    admin = request.user
    try:
        invitation = membership.invite(
            tenant=admin.tenant,
            actor=admin,
            email=request.POST.get("email", ""),
            role=request.POST.get("role", Person.Role.MEMBER),
        )
    except RuleViolation as violation:
        status = 409 if isinstance(violation, membership.Conflict) else 422
        return members(request, invite_problem=violation.message, status=status)
    link = absolute(membership.accept_path(invitation), request)
    sent = send_invitation(invitation, link)
    request.session["meetbridge.just_invited"] = {"email": invitation.email, "link": link}
    if sent:
        messages.success(
            request, f"Invitation sent to {invitation.email}. You can also copy its link below."
        )
    else:
        messages.warning(
            request,
            f"The mail to {invitation.email} could not be sent; copy the link below and send it yourself.",
        )
    return redirect("web:members")


@admin_page
@require_POST
def invitation_action(request: HttpRequest, invitation_id: int) -> HttpResponse:
    admin = request.user
    invitation = get_object_or_404(Invitation, pk=invitation_id, tenant=admin.tenant)
    try:
        if request.POST.get("action") == "resend":
            membership.resend(invitation, actor=admin)
            link = absolute(membership.accept_path(invitation), request)
            send_invitation(invitation, link)
            messages.success(
                request, f"Invitation sent again to {invitation.email}, valid for 7 more days."
            )
        else:
            membership.withdraw(invitation, actor=admin)
            messages.success(
                request, f"Invitation for {invitation.email} withdrawn: its link no longer works."
            )
    except membership.Conflict as conflict:
        messages.error(request, conflict.message)
    return redirect("web:members")


@admin_page
@require_POST
def change_role(request: HttpRequest, person_id: int) -> HttpResponse:
    admin = request.user
    person = get_object_or_404(Person, pk=person_id, tenant=admin.tenant, is_active=True)
    try:
        membership.change_role(person, request.POST.get("role", ""), actor=admin)
        messages.success(
            request, f"{person.display_name} is now {person.get_role_display().lower()}."
        )
    except RuleViolation as violation:
        messages.error(request, violation.message)
    return redirect("web:members")


@admin_page
def remove(request: HttpRequest, person_id: int) -> HttpResponse:
    """A confirmation page first (what removal does, their upcoming meetings), then removal."""
    from meetbridge.web.dashboard import upcoming_meetings

    admin = request.user
    person = get_object_or_404(Person, pk=person_id, tenant=admin.tenant, is_active=True)
    if request.method == "POST":
        try:
            removal = membership.remove(person, actor=admin)
        except RuleViolation as violation:
            messages.error(request, violation.message)
            return redirect("web:members")
        return render(
            request,
            "web/member_removed.html",
            {
                "person": removal.person,
                "upcoming": removal.upcoming,
                "viewer_zone": time_zone_of(admin),
            },
        )
    return render(
        request,
        "web/member_remove.html",
        {
            "person": person,
            "upcoming": upcoming_meetings(person, limit=100),
            "viewer_zone": time_zone_of(admin),
        },
    )


@admin_page
@require_POST
def join_policy(request: HttpRequest) -> HttpResponse:
    try:
        tenant_service.change_tenant(
            request.user.tenant, actor=request.user, join_policy=request.POST.get("join_policy", "")
        )
        messages.success(request, "Saved who can join.")
    except RuleViolation as violation:
        messages.error(request, violation.message)
    return redirect("web:members")
