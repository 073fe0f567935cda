"""Microsoft 365 as the provider registry sees it: the credential, the settings, the provider.

Imported only through `integrations/registry.py` (`KINDS["microsoft"]`), so msal loads only
where Microsoft is used.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from meetbridge.integrations.provider import CalendarProvider, CallObserver, CredentialError
from meetbridge.integrations.providers.microsoft.conf import MicrosoftConf
from meetbridge.integrations.providers.microsoft.credential import parse_credential
from meetbridge.integrations.providers.microsoft.directory import is_guid, lookup
from meetbridge.integrations.providers.microsoft.forms import AppForm
from meetbridge.integrations.registry import ParsedCredential, Wording

GRAPH_PERMISSION = "Calendars.ReadWrite"


def _as_object(raw: Any) -> Any:
    """The credential as an object: the API sends one; the page's text box may hold its JSON."""
    if isinstance(raw, bytes | bytearray):
        raw = raw.decode("utf-8", errors="replace")
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            raise CredentialError(
                "invalid_credential",
                'Paste the app\'s values as JSON: {"tenant_id", "client_id", "certificate", '
                '"private_key"} or {"tenant_id", "client_id", "client_secret"}.',
            ) from None
    return raw


class MicrosoftKind:
    name = "microsoft"
    label = "Microsoft 365"
    scopes = (GRAPH_PERMISSION,)
    api_field = "app"
    setup_template = "integrations/microsoft/_setup.html"
    facts_template = "integrations/microsoft/_facts.html"
    form_class = AppForm
    conf = MicrosoftConf
    api_input = (
        '`{"tenant_id", "client_id", "client_secret", "expires_at"?}` or `{"tenant_id", '
        '"client_id", "certificate", "private_key"}` (PEM; a certificate is recommended)'
    )
    wording = Wording(
        company="Microsoft",
        credential="app credential",
        short_credential="credential",
        save_again="Save the app's certificate (or client secret) again",
    )

    def credential_from_api(self, body: dict[str, Any]) -> Any:
        return {k: v for k, v in body.items() if k != "provider"}

    def parse_credential(self, raw: Any) -> ParsedCredential:
        """Checked as pasted; a domain in place of the directory's GUID is then looked up at
        Microsoft (one request), so the GUID is what is stored (see `directory.py`)."""
        parsed = parse_credential(_as_object(raw))
        if not is_guid(parsed.tenant_id):
            parsed = parsed.with_directory_id(self._directory_id(parsed.tenant_id))
        return ParsedCredential(
            public=parsed.public(),
            secret=parsed.secret,
            secret_id=parsed.secret_id,
            summary=parsed.summary,
            expires_at=parsed.expires_at,
        )

    def _directory_id(self, domain: str) -> str:
        from django.conf import settings

        return lookup(domain, self.config_from(settings.MEETBRIDGE))

    def settled(self, public: Mapping[str, Any], config: Any) -> dict[str, Any] | None:
        """A directory stored by domain (saved before the lookup on saving existed) is
        stored by its GUID once a check passes, so Sign in with Microsoft finds the tenant."""
        tenant_id = str(public.get("tenant_id", ""))
        if is_guid(tenant_id):
            return None
        try:
            return {**public, "tenant_id": lookup(tenant_id, config)}
        except CredentialError:
            return None  # the next check tries again; tokens work with the domain meanwhile

    def identity(self, public: Mapping[str, str]) -> str:
        return f"app {public.get('client_id', '')} in {public.get('tenant_id', '')}"

    def config_from(self, options: Mapping[str, Any]):
        from meetbridge.integrations.backoff import RetryPolicy
        from meetbridge.integrations.providers.microsoft.calendar import MicrosoftConfig

        return MicrosoftConfig(
            login_base=options.get("MICROSOFT_LOGIN_BASE") or "https://login.microsoftonline.com",
            graph_base=options.get("MICROSOFT_GRAPH_BASE") or "https://graph.microsoft.com",
            ca_bundle=options.get("MICROSOFT_CA_BUNDLE") or None,
            retry=RetryPolicy.from_options(options, "MICROSOFT"),
        )

    def build(
        self,
        *,
        secret: Mapping[str, Any],
        config: Any,
        observe: CallObserver,
        token_scope: str,
    ) -> CalendarProvider:
        from meetbridge.integrations.providers.microsoft.calendar import MicrosoftGraphProvider

        return MicrosoftGraphProvider(
            credential=secret, credential_key=token_scope, config=config, observe=observe
        )


MICROSOFT = MicrosoftKind()
