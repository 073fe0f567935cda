"""The sign-in page (every enabled method), the OpenID Connect start and callback, joining by
invitation, password reset and the local outbox."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from meetbridge.accounts import joining, oidc, registry
from meetbridge.accounts.claims import SignInRefused
from meetbridge.accounts.next_page import safe_next
from meetbridge.accounts.password import SignInForm
from meetbridge.tenants import membership

log = logging.getLogger(__name__)
BACKEND = "django.contrib.auth.backends.ModelBackend"
INVITATION_KEY = "meetbridge.join_invitation"
NEXT_KEY = "meetbridge.sign_in_next"


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["methods"] = registry.enabled_methods()
        if settings.MEETBRIDGE["MODE"] == "local":
            from meetbridge.demo import demo_sign_ins

            context["demo_sign_ins"] = demo_sign_ins()
        return context

    def render_to_response(self, context, **response_kwargs):
        return allow_sign_in_redirects(super().render_to_response(context, **response_kwargs))


def allow_sign_in_redirects(response: HttpResponse) -> HttpResponse:
    """A page with "Sign in with …" forms lets their redirect leave for the provider (CSP)."""
    providers = [method.provider for method in registry.enabled_methods() if method.provider]
    origins = oidc.form_action_origins(providers)
    if origins:
        response._csp_update = {"form-action": origins}
    return response


def refused(
    request: HttpRequest, refusal: SignInRefused, status: int = 403, next_page: str = ""
) -> HttpResponse:
    """The refusal page; its "Back to sign-in" keeps the page the person was going to."""
    return render(
        request,
        "accounts/refused.html",
        {"refusal": refusal, "methods": registry.enabled_methods(), "next": next_page},
        status=status,
    )


def _provider(key: str) -> oidc.Provider:
    provider = registry.enabled_provider(key)
    if provider is None:
        raise Http404("No such sign-in method")
    return provider


def _next_of(request: HttpRequest, candidate: str | None) -> str:
    return safe_next(candidate, request.get_host(), require_https=request.is_secure())


def _remember_next(request: HttpRequest) -> None:
    """The start of a sign-in keeps its `?next=` (when it is a page of ours) for the callback;
    a start without one forgets any earlier attempt's."""
    request.session.pop(NEXT_KEY, None)
    destination = _next_of(request, request.GET.get("next"))
    if destination:
        request.session[NEXT_KEY] = destination


@require_http_methods(["POST"])
def oidc_start(request: HttpRequest, provider: str) -> HttpResponse:
    chosen = _provider(provider)
    request.session.pop(INVITATION_KEY, None)  # a plain sign-in, not an invitation's
    _remember_next(request)
    try:
        return oidc.start(request, chosen)
    except SignInRefused as refusal:
        return refused(request, refusal, status=502)


def oidc_callback(request: HttpRequest, provider: str) -> HttpResponse:
    chosen = _provider(provider)
    invitation = None
    token = request.session.pop(INVITATION_KEY, None)
    destination = _next_of(request, request.session.pop(NEXT_KEY, None))  # one use, even refused
    try:
        identity = oidc.finish(request, chosen)
        if token:
            try:
                invitation = membership.invitation_from_link(token)
            except membership.Gone as gone:
                raise SignInRefused(gone.code, gone.message) from gone
        tenant = invitation.tenant if invitation else chosen.tenant_of(identity)
        person = joining.person_for(
            identity, tenant, invitation, organisation_of=chosen.organisation_of
        )
    except SignInRefused as refusal:
        if refusal.tenant is None:  # no tenant's audit log to write to
            log.info("Sign in with %s refused: %s", chosen.label, refusal.code)
        return refused(request, refusal, next_page=destination)
    except membership.Conflict as conflict:
        refusal = SignInRefused(conflict.code, conflict.message)
        return refused(request, refusal, status=409, next_page=destination)
    login(request, person, backend=BACKEND)
    return redirect(destination or "web:home")


# --- joining by invitation ----------------------------------------------------------------


def _invitation_or_page(request, token):
    try:
        return membership.invitation_from_link(token), None
    except membership.Gone as gone:
        return None, refused(request, SignInRefused(gone.code, gone.message), status=410)


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    invitation, page = _invitation_or_page(request, token)
    if page is not None:
        return page
    destination = _next_of(request, request.GET.get("next"))  # the form posts to this URL
    form = SetPasswordForm(user=_NewPerson(invitation.email), data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = membership.accept(
                invitation,
                password=form.cleaned_data["new_password1"],
                name=request.POST.get("name", ""),
            )
        except (membership.Gone, membership.Conflict) as problem:
            return refused(request, SignInRefused(problem.code, problem.message), status=409)
        login(request, person, backend=BACKEND)
        return redirect(destination or "web:home")
    methods = [m for m in registry.enabled_methods() if m.provider is not None]
    page = render(
        request,
        "accounts/join.html",
        {
            "invitation": invitation,
            "form": form,
            "token": token,
            "providers": methods,
            "next": destination,
        },
    )
    return allow_sign_in_redirects(page)


@require_http_methods(["POST"])
def join_with_provider(request: HttpRequest, token: str, provider: str) -> HttpResponse:
    chosen = _provider(provider)
    invitation, page = _invitation_or_page(request, token)
    if page is not None:
        return page
    request.session[INVITATION_KEY] = token
    _remember_next(request)
    try:
        return oidc.start(request, chosen)
    except SignInRefused as refusal:
        return refused(request, refusal, status=502)


class _NewPerson:
    """What Django's password validators compare a new password with, before the person exists."""

    def __init__(self, email: str) -> None:
        self.email = email
        self.name = ""

    def set_password(self, raw):  # SetPasswordForm.save is never called on this stand-in
        raise NotImplementedError


# --- password reset (Django's own views and tokens) ---------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/mail/password_reset.txt"
    subject_template_name = "accounts/mail/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def form_valid(self, form):
        base = settings.MEETBRIDGE.get("PUBLIC_URL", "")
        if base:
            self.extra_email_context = {"public_url": base}
        return super().form_valid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- local mode's outbox ------------------------------------------------------------------


def local_mail(request: HttpRequest) -> HttpResponse:
    """The mail meetbridge sent, as the recipients would read it (local mode only)."""
    if not settings.MEETBRIDGE.get("LOCAL_OUTBOX"):
        raise Http404("Mail is sent by the configured server, not kept here.")
    from pathlib import Path

    from meetbridge.mail.outbox import read_outbox

    mails = read_outbox(Path(settings.EMAIL_FILE_PATH))
    return render(request, "accounts/local_mail.html", {"mails": mails})
