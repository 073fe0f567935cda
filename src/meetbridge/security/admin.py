"""Django's admin login, throttled like sign-in when an operator mounts the admin.

The admin is off in production unless MEETBRIDGE_ADMIN_ENABLED=1 (urls.py). When it is on,
its login form is the sign-in form (failures counted per account and per address, the same
refusal for every failure) that also requires a staff account.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from meetbridge.accounts.password import SignInForm


class AdminSignInForm(SignInForm):
    required_css_class = "required"

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not (user.is_active and user.is_staff):
            # The same words as a wrong password: nobody learns which accounts are staff.
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")
