"""Step 3 of the Google setup: paste the JSON key or upload the file."""

from __future__ import annotations

from meetbridge.integrations.forms import PasteOrUploadForm
from meetbridge.integrations.providers.google.keyfile import MAX_KEY_BYTES


class KeyForm(PasteOrUploadForm):
    max_bytes = MAX_KEY_BYTES
    missing = "Paste the JSON key, or choose the key file to upload."

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_text"].label = "Paste the JSON key"
        self.fields["key_file"].label = "or upload the key file"
        self.fields["key_file"].widget.attrs["accept"] = "application/json,.json"

    def too_large(self, size: int) -> str:
        return (
            f"That file is {size} bytes; a key file is about 2.3 KB (at most "
            f"{MAX_KEY_BYTES // 1024} KiB). Choose the JSON key file itself."
        )
