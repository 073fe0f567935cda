"""E-mail and password: kept for local mode and for people outside the Workspace.

Django's own authentication (PBKDF2 hashes, validators, reset tokens) with two additions:
failed attempts are throttled per account and per address, and every refusal reads the same
whether or not the address has an account (Django's backend also spends the time of a password
check on unknown addresses, so timing tells nothing either).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetbridge.accounts import addresses, throttle
from meetbridge.accounts.registry import SignInMethod


def client_address(request) -> str:
    """Who is signing in, as throttling counts them (`MEETBRIDGE_TRUSTED_PROXIES` proxies in
    front of meetbridge; docs/operator-guide.md, "Sign-in protection")."""
    if request is None:
        return addresses.UNKNOWN
    return addresses.client_address(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        settings.MEETBRIDGE.get("TRUSTED_PROXIES", 0),
    )


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Work e-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": "That e-mail and password do not match an account. Check both and try again.",
        "inactive": "That e-mail and password do not match an account. Check both and try again.",
        "throttled": "Too many failed sign-ins for this account or from this network. Wait 15 "
        "minutes and try again, or reset your password.",
    }

    def clean(self):
        email = (self.cleaned_data.get("username") or "").strip().lower()
        address = client_address(self.request)
        now = timezone.now()
        if email and throttle.throttled(email, address, now):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            if email:
                throttle.record_failure(email, address, now)
            raise
        throttle.forget_failures(email)
        return cleaned


method = SignInMethod(
    key="password",
    label="E-mail and password",
    template="accounts/_password.html",
    is_enabled=lambda: True,
)
