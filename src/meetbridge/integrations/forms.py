"""What every provider's form on the Integrations page shares."""

from __future__ import annotations

from django import forms


class SecretTextarea(forms.Textarea):
    """A textarea that never sends what was typed back to the browser (it holds a secret)."""

    def format_value(self, value):
        return None


class SecretInput(forms.PasswordInput):
    """A one-line secret field, never rendered back (a client secret)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})


class CredentialForm(forms.Form):
    """The base of each provider's form: `clean()` leaves in `cleaned_data["raw_key"]` what
    the provider kind's `parse_credential` reads."""

    provider = forms.CharField(widget=forms.HiddenInput)
