"""Google Workspace as the registry sees it: the key file, the settings, the provider."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from meetbridge.integrations.backoff import RetryPolicy
from meetbridge.integrations.provider import CalendarProvider, CallObserver
from meetbridge.integrations.providers.google.conf import GoogleConf
from meetbridge.integrations.providers.google.forms import KeyForm
from meetbridge.integrations.providers.google.keyfile import KeyFileError, parse_key
from meetbridge.integrations.providers.google.scope import CALENDAR_SCOPE
from meetbridge.integrations.registry import ParsedCredential, Wording


class GoogleKind:
    name = "google"
    label = "Google Workspace"
    scopes = (CALENDAR_SCOPE,)
    api_field = "service_account"
    setup_template = "integrations/google/_setup.html"
    facts_template = "integrations/google/_facts.html"
    form_class = KeyForm
    conf = GoogleConf
    api_input = (
        '`{"service_account_key": KEY}`, KEY being the downloaded key file\'s JSON (an '
        "object, or the file's text)"
    )
    wording = Wording(
        company="Google",
        credential="service-account key",
        short_credential="key",
        save_again="Save the JSON key file again",
    )

    def credential_from_api(self, body: dict[str, Any]) -> Any:
        unknown = sorted(set(body) - {"provider", "service_account_key"})
        if unknown:
            raise KeyFileError(
                "invalid_request",
                f"Unknown field(s) for Google Workspace: {', '.join(unknown)[:200]}. Send "
                '{"provider": "google", "service_account_key": KEY}.',
            )
        if body.get("service_account_key") is None:
            raise KeyFileError(
                "invalid_request",
                "service_account_key is required: the downloaded JSON key file, as an object "
                "or as its text.",
            )
        return body["service_account_key"]

    def parse_credential(self, raw: Any) -> ParsedCredential:
        key = parse_key(raw)
        return ParsedCredential(
            public=key.public(),
            secret=key.fields,
            secret_id=key.private_key_id,
            summary=f"key {key.private_key_id} of {key.client_email}",
        )

    def identity(self, public: Mapping[str, str]) -> str:
        return public.get("client_email", "")

    def settled(self, public: Mapping[str, Any], config: Any) -> None:
        return None  # a service account's identifiers are always stored as Google names them

    def config_from(self, options: Mapping[str, Any]):
        from meetbridge.integrations.providers.google.calendar import GoogleConfig

        return GoogleConfig(
            token_uri=options["GOOGLE_TOKEN_URI"],
            api_base=options["GOOGLE_API_BASE"].rstrip("/"),
            retry=RetryPolicy.from_options(options, "GOOGLE"),
            connect_timeout=float(options.get("GOOGLE_CONNECT_TIMEOUT", 5.0)),
            read_timeout=float(options.get("GOOGLE_READ_TIMEOUT", 30.0)),
        )

    def build(
        self,
        *,
        secret: Mapping[str, Any],
        config: Any,
        observe: CallObserver,
        token_scope: str,
    ) -> CalendarProvider:
        # google-auth and the HTTP session load only where a provider is really built.
        from meetbridge.integrations.providers.google.calendar import GoogleWorkspaceProvider

        return GoogleWorkspaceProvider(
            key=secret, credential_key=token_scope, config=config, observe=observe
        )


GOOGLE = GoogleKind()
