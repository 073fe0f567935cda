"""Step 3 of the Google setup: paste the JSON key or upload the file."""

from __future__ import annotations

from django import forms

from meetbridge.integrations.forms import CredentialForm, SecretTextarea
from meetbridge.integrations.providers.google.keyfile import MAX_KEY_BYTES


class KeyForm(CredentialForm):
    key_text = forms.CharField(
        label="Paste the JSON key",
        required=False,
        strip=False,
        max_length=MAX_KEY_BYTES,
        widget=SecretTextarea(
            attrs={
                "rows": 6,
                "spellcheck": "false",
                "autocomplete": "off",
                "autocapitalize": "off",
                "placeholder": '{ "type": "service_account", ... }',
                "aria-describedby": "key-help",
            }
        ),
    )
    key_file = forms.FileField(
        label="or upload the key file",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/json,.json", "aria-describedby": "key-help"}
        ),
    )

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("key_text") or "").strip()
        upload = cleaned.get("key_file")
        if text and upload:
            raise forms.ValidationError("Paste the key or upload the file, not both.")
        if upload is not None:
            if upload.size > MAX_KEY_BYTES:
                self.add_error(
                    "key_file",
                    f"That file is {upload.size} bytes; a key file is about 2.3 KB (at most "
                    f"{MAX_KEY_BYTES // 1024} KiB). Choose the JSON key file itself.",
                )
                return cleaned
            cleaned["raw_key"] = upload.read(MAX_KEY_BYTES + 1)
        elif text:
            cleaned["raw_key"] = text
        else:
            raise forms.ValidationError("Paste the JSON key, or choose the key file to upload.")
        return cleaned
