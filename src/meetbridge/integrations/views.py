"""The tenant admin's Integrations page: connect the calendars, watch the check, fix problems."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meetbridge.integrations import connection, registry
from meetbridge.integrations.status import page_state
from meetbridge.tenants.rules import RuleViolation


def tenant_admin_required(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_tenant_admin:
            raise PermissionDenied("Only tenant admins can manage integrations.")
        return view(request, *args, **kwargs)

    return guarded


def _status_context(request: HttpRequest) -> dict:
    state = page_state(request.user.tenant)
    return {"state": state, "integration": state.integration, "tenant": request.user.tenant}


def _chosen_kind(request: HttpRequest, connected: registry.ProviderKind | None):
    """The provider whose setup steps the page shows: the one the admin picked (the form's
    hidden field, or a link of the chooser), else the one connected, else the first."""
    asked = request.POST.get("provider") or request.GET.get("provider")
    try:
        return registry.kind(asked)
    except registry.UnsupportedProvider:
        return connected or registry.all_kinds()[0]


@tenant_admin_required
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest) -> HttpResponse:
    context = _status_context(request)
    kind = _chosen_kind(request, context["state"].kind)
    form = kind.form_class(
        request.POST or None, request.FILES or None, initial={"provider": kind.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            connection.save_key(
                tenant=request.user.tenant,
                actor=request.user,
                provider=form.cleaned_data["provider"],
                raw_key=form.cleaned_data["raw_key"],
            )
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"{kind.wording.short_credential.capitalize()} saved. meetbridge is checking it "
                f"with {kind.wording.company} now; this page updates by itself.",
            )
            return redirect("integrations:page")
        context = _status_context(request)
    context.update(
        form=form,
        kind=kind,
        kinds=registry.all_kinds(),
        scopes=kind.scopes,
        setup_template=kind.setup_template,
    )
    return render(request, "integrations/page.html", context, status=422 if form.errors else 200)


@tenant_admin_required
@require_GET
def status(request: HttpRequest) -> HttpResponse:
    """The status panel alone, polled by the page while it is open."""
    response = render(request, "integrations/_status.html", _status_context(request))
    response["Cache-Control"] = "no-store"
    return response


@tenant_admin_required
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    try:
        connection.request_check(tenant=request.user.tenant, actor=request.user)
    except connection.NothingToCheck as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Checking again now; this page updates by itself.")
    return redirect("integrations:page")


@tenant_admin_required
@require_POST
def disconnect(request: HttpRequest) -> HttpResponse:
    if connection.disconnect(tenant=request.user.tenant, actor=request.user):
        messages.success(request, "Disconnected: the stored key was destroyed.")
    return redirect("integrations:page")
