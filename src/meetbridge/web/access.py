"""Who may open a page: decorators for views that say it in one word.

Every page works on the signed-in person's own tenant only, so a person of another tenant can
never reach this tenant's data through a page; pages for admins answer 403 to everyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

View = Callable[..., HttpResponse]

NOT_AN_ADMIN = (
    "This page is for tenant admins. Ask one of your organisation's admins if you need it."
)
NO_TENANT = "This account belongs to no organisation, so it has no pages here."


def refuse(request: HttpRequest, reason: str) -> HttpResponse:
    """The 403 page, answered directly: a refusal is expected, not an error worth a traceback."""
    return render(request, "403.html", {"exception": reason}, status=403)


def member_page(view: View) -> View:
    """Signed in and belonging to a tenant (operators without one get 403, not a crash)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.tenant_id is None:
            return refuse(request, NO_TENANT)
        return view(request, *args, **kwargs)

    return wrapped


def admin_page(view: View) -> View:
    """Signed in as a tenant admin; anyone else signed in gets the 403 page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_tenant_admin:
            return refuse(request, NOT_AN_ADMIN if request.user.tenant_id else NO_TENANT)
        return view(request, *args, **kwargs)

    return wrapped
