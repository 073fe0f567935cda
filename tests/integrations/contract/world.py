"""What every provider's contract world does the same way (tests/integrations/contract).

A world names its provider (`name`), the credential an admin pastes (`raw_credential`) and the
PEM private key in it (`private_key_pem`); building the provider through the registry, a fresh
token cache and the secret texts that must never show follow from those.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings

from meetbridge.integrations import registry
from meetbridge.integrations.provider import CalendarProvider, CallRecord
from meetbridge.integrations.tokens import TokenCache


class ProviderWorld:
    name: str
    records: list[CallRecord]

    @property
    def raw_credential(self) -> Any:
        raise NotImplementedError

    @property
    def private_key_pem(self) -> str:
        raise NotImplementedError

    @property
    def secret_texts(self) -> list[str]:
        """Text that must never appear in a response, a page or the audit log."""
        body = self.private_key_pem.split("-----")[2].strip()
        return [line for line in body.splitlines() if len(line) > 20][:3]

    def provider(self) -> CalendarProvider:
        kind = registry.kind(self.name)
        parsed = kind.parse_credential(self.raw_credential)
        return kind.build(
            secret=parsed.secret,
            config=kind.config_from(settings.MEETBRIDGE),
            observe=self.records.append,
            token_scope=f"contract:{uuid.uuid4().hex}",
        )

    def fresh_tokens(self) -> TokenCache:
        return TokenCache()
