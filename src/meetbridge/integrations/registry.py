"""Which calendar providers exist, by the name stored on `Integration.provider`.

To add a provider (say `acme`):

1. Make one folder, `integrations/providers/acme/`, holding
   - `kind.py` with `ACME`, an object with the attributes and methods of `ProviderKind` below:
     its label and scopes, how to read what the admin pastes (`parse_credential`), its settings
     (`config_from`), how to build a `CalendarProvider` (`build`), its form and partials;
   - `conf.py`, the pydantic model of the credential's public fields (`Credential.public`, and
     the provider's block in `GET /api/v1/integration`);
   - the provider itself (a class satisfying `integrations.provider.CalendarProvider`);
   - `templates/integrations/acme/_setup.html` (the Integrations page's setup steps) and
     `_facts.html` (the status panel's rows about the saved credential).
2. Add one line to `KINDS` below.
3. Add its world (`tests/integrations/acme/world.py`) and one entry to `WORLDS` in
   `tests/integrations/contract/conftest.py`: every provider passes the same behaviour tests.

Nothing else names a provider: the API, the pages, verification and the meetings and
scheduling apps all go through `kind(name)`. Kinds are imported on first use, so a provider's
libraries load only where it is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Protocol

from pydantic import BaseModel

from meetbridge.integrations.provider import CalendarProvider, CallObserver
from meetbridge.tenants.rules import RuleViolation

KINDS: dict[str, str] = {
    "google": "meetbridge.integrations.providers.google.kind.GOOGLE",
    "microsoft": "meetbridge.integrations.providers.microsoft.kind.MICROSOFT",
}


@dataclass(frozen=True)
class ParsedCredential:
    """What the admin handed over, checked: public identifiers apart from the secret.

    `public` may be shown on pages, in the API and in the audit log; `secret` is only ever
    stored sealed. `secret_id` names the secret without revealing it (a key id, a thumbprint):
    the sealed envelope is bound to it.
    """

    public: dict[str, str]
    secret: dict[str, Any] = field(repr=False)
    secret_id: str
    summary: str  # one line for the audit log, e.g. "key 1a2b of svc@project.iam..."
    expires_at: datetime | None = None  # when the credential stops working by itself


@dataclass(frozen=True)
class Wording:
    """How the pages and diagnoses name this provider's parts."""

    company: str  # who is asked during a check: "Google"
    credential: str  # what the admin saves: "service-account key"
    short_credential: str  # the same in a word: "key"
    save_again: str  # the fix when a stored credential cannot be used any more


class ProviderKind(Protocol):
    name: str
    label: str  # "Google Workspace"
    scopes: tuple[str, ...]
    api_field: str  # the key under which the API shows the public identifiers
    setup_template: str  # the Integrations page's setup steps for this provider
    facts_template: str  # the status panel's rows about the saved credential
    form_class: type  # an integrations.forms.CredentialForm: what the setup steps submit
    wording: Wording
    conf: type[BaseModel]  # validates `Credential.public`; lives in the provider's folder
    api_input: str  # the credential fields of `PUT /api/v1/integration`, for its description

    def credential_from_api(self, body: dict[str, Any]) -> Any:
        """What `parse_credential` reads, from the API's body (which includes `provider`)."""

    def parse_credential(self, raw: Any) -> ParsedCredential:
        """Check an upload; raise CredentialError (a RuleViolation) saying what to fix."""

    def identity(self, public: Mapping[str, str]) -> str:
        """Who the credential signs in as, for the audit log (never a secret)."""

    def settled(self, public: Mapping[str, Any], config: Any) -> dict[str, Any] | None:
        """After a check passed: the public fields to store in place of `public` when they name
        the account indirectly (Microsoft: a directory by domain, stored before meetbridge
        looked its GUID up on saving); None when they are as meant. Never raises."""

    def config_from(self, options: Mapping[str, Any]) -> Any:
        """The provider's settings, from `settings.MEETBRIDGE`."""

    def build(
        self,
        *,
        secret: Mapping[str, Any],
        config: Any,
        observe: CallObserver,
        token_scope: str,
    ) -> CalendarProvider:
        """A provider acting with this secret; `token_scope` keys its cached tokens."""


class UnsupportedProvider(RuleViolation):
    def __init__(self, name: Any) -> None:
        super().__init__(
            "unsupported_provider",
            f"provider must be one of: {', '.join(KINDS)} (got {str(name)[:40]!r}).",
        )


@cache
def _load(dotted: str) -> ProviderKind:
    module, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def kind(name: Any) -> ProviderKind:
    """The provider kind stored under `name`; UnsupportedProvider for anything else."""
    if not isinstance(name, str) or name not in KINDS:
        raise UnsupportedProvider(name)
    return _load(KINDS[name])


def all_kinds() -> list[ProviderKind]:
    return [_load(dotted) for dotted in KINDS.values()]


def choices() -> list[tuple[str, str]]:
    """(name, label) of every provider, in registry order, for forms."""
    return [(k.name, k.label) for k in all_kinds()]


Builder = Callable[..., CalendarProvider]
