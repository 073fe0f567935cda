"""Step 4 of the Microsoft setup: the app's IDs and its certificate (or client secret)."""

from __future__ import annotations

from django import forms

from meetbridge.integrations.forms import CredentialForm, SecretInput, SecretTextarea
from meetbridge.integrations.providers.microsoft.credential import MAX_PEM, MAX_SECRET


class AppForm(CredentialForm):
    tenant_id = forms.CharField(
        label="Directory (tenant) ID",
        max_length=253,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="a GUID; if you enter a domain of your directory, meetbridge looks up its ID",
    )
    client_id = forms.CharField(
        label="Application (client) ID",
        max_length=36,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    credential = forms.ChoiceField(
        label="Credential",
        choices=[("certificate", "Certificate (recommended)"), ("secret", "Client secret")],
        initial="certificate",
        widget=forms.RadioSelect,
    )
    certificate = forms.CharField(
        label="Certificate (PEM)",
        required=False,
        max_length=MAX_PEM,
        widget=forms.Textarea(
            attrs={"rows": 4, "spellcheck": "false", "placeholder": "-----BEGIN CERTIFICATE-----"}
        ),
    )
    private_key = forms.CharField(
        label="Its private key (PEM)",
        required=False,
        strip=False,
        max_length=MAX_PEM,
        widget=SecretTextarea(
            attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off",
                   "placeholder": "-----BEGIN PRIVATE KEY-----", "aria-describedby": "key-help"}
        ),
    )  # fmt: skip
    client_secret = forms.CharField(
        label="Client secret value",
        required=False,
        max_length=MAX_SECRET,
        widget=SecretInput(attrs={"aria-describedby": "key-help"}),
    )
    secret_expires_at = forms.DateField(
        label="The secret expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="as the Entra admin center shows it; meetbridge warns you ahead of it",
    )

    def clean(self):
        cleaned = super().clean()
        base = {
            "tenant_id": cleaned.get("tenant_id", ""),
            "client_id": cleaned.get("client_id", ""),
        }
        if cleaned.get("credential") == "secret":
            if not cleaned.get("client_secret"):
                raise forms.ValidationError("Paste the client secret's Value.")
            expires = cleaned.get("secret_expires_at")
            cleaned["raw_key"] = {
                **base,
                "client_secret": cleaned["client_secret"],
                **({"expires_at": expires.isoformat()} if expires else {}),
            }
        else:
            if not cleaned.get("certificate") or not cleaned.get("private_key"):
                raise forms.ValidationError("Paste the certificate and its private key.")
            cleaned["raw_key"] = {
                **base,
                "certificate": cleaned["certificate"],
                "private_key": cleaned["private_key"],
            }
        return cleaned
