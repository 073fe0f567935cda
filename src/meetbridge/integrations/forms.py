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


class PasteOrUploadForm(CredentialForm):
    """A credential pasted as text or uploaded as a file (one of the two); the page renders it
    with `integrations/_key_form.html`. Providers set the size bound and their wording."""

    max_bytes = 32 * 1024
    missing = "Paste the credential, or choose the file to upload."

    key_text = forms.CharField(
        label="Paste it here",
        required=False,
        strip=False,
        widget=SecretTextarea(attrs={"rows": 6, "aria-describedby": "key-help"}),
    )
    key_file = forms.FileField(
        label="or upload the file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"aria-describedby": "key-help"}),
    )

    def too_large(self, size: int) -> str:
        return f"That file is {size} bytes; at most {self.max_bytes // 1024} KiB fit."

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("key_text") or ""
        if len(text) > self.max_bytes:
            self.add_error("key_text", self.too_large(len(text.encode("utf-8"))))
            return cleaned
        text = text.strip()
        upload = cleaned.get("key_file")
        if text and upload:
            raise forms.ValidationError("Paste the key or upload the file, not both.")
        if upload is not None:
            if upload.size > self.max_bytes:
                self.add_error("key_file", self.too_large(upload.size))
                return cleaned
            cleaned["raw_key"] = upload.read(self.max_bytes + 1)
        elif text:
            cleaned["raw_key"] = text
        else:
            raise forms.ValidationError(self.missing)
        return cleaned
