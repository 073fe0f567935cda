"""Every way a person can sign in to meetbridge; the sign-in page lists the enabled ones.

To add a sign-in method (Sign in with Microsoft, for example):

1. Write one module in this folder, e.g. `accounts/microsoft.py`, defining `method`, a
   `SignInMethod`: a key, the template of its part of the sign-in page, its URL patterns
   (served under `/sign-in/<key>/`) and `is_enabled()` (usually: its settings are present).
   An OpenID Connect provider only sets `provider=` to an `oidc.Provider` (its client settings
   with the discovery URL, its claim checks, and how a verified identity names a tenant):
   the start and callback routes come with it. See `accounts/google.py`.
2. Add the module's dotted path to METHODS below, in the order the page should show it.

Everything after a verified identity (finding or creating the person, invitations, the join
policy, refusals and their audit entries) is shared, in `accounts/joining.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

METHODS = [
    "meetbridge.accounts.google",
    "meetbridge.accounts.microsoft",
    "meetbridge.accounts.password",
]


@dataclass(frozen=True)
class SignInMethod:
    key: str
    label: str
    template: str
    is_enabled: Callable[[], bool]
    urlpatterns: list = field(default_factory=list)
    provider: object = None  # an oidc.Provider: served at /sign-in/<key>/start and /callback


def all_methods() -> list[SignInMethod]:
    return [import_module(path).method for path in METHODS]


def enabled_methods() -> list[SignInMethod]:
    return [method for method in all_methods() if method.is_enabled()]


def enabled_provider(key: str):
    """The OpenID Connect provider of an enabled method, or None."""
    for method in enabled_methods():
        if method.key == key and method.provider is not None:
            return method.provider
    return None
