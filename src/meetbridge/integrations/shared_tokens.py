"""Access tokens shared by every server process, in a Django cache (Redis in production).

A token is a bearer secret for an hour, so the store holds it sealed with the vault, bound to
its entry's name; the name itself is a hash, so the store does not even show whom a token acts
for. When the store fails, tokens are still fetched and cached per process: slower, not broken.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from meetbridge.integrations.vault import Vault, VaultError

log = logging.getLogger(__name__)

FETCH_CLAIM_SECONDS = 15


class CacheSharedTokens:
    def __init__(self, cache, vault: Callable[[], Vault]) -> None:
        self._cache = cache
        self._vault = vault

    @staticmethod
    def _name(key: tuple[str, str]) -> str:
        return "google-token:" + hashlib.sha256("\n".join(key).encode("utf-8")).hexdigest()

    def read(self, key: tuple[str, str]) -> tuple[str, float] | None:
        name = self._name(key)
        try:
            sealed = self._cache.get(name)
            if sealed is None:
                return None
            secret = self._vault().open(sealed, bound_to=name)
            return str(secret["token"]), float(secret["renew_at"])
        except VaultError:
            return None  # sealed under keys since retired: fetch a new one
        except Exception:  # the store is down: carry on without it
            log.warning("Shared token store unavailable; fetching tokens per process.")
            return None

    def write(self, key: tuple[str, str], token: str, renew_at: float, expires_in: float) -> None:
        name = self._name(key)
        sealed = self._vault().seal({"token": token, "renew_at": renew_at}, bound_to=name)
        try:
            self._cache.set(name, sealed, timeout=max(1, int(expires_in)))
        except Exception:
            log.warning("Shared token store unavailable; fetching tokens per process.")

    def claim(self, key: tuple[str, str]) -> bool:
        try:
            return bool(self._cache.add(self._name(key) + ":fetching", 1, FETCH_CLAIM_SECONDS))
        except Exception:
            return True  # without the store, every process may fetch for itself

    def release(self, key: tuple[str, str]) -> None:
        try:
            self._cache.delete(self._name(key) + ":fetching")
        except Exception:
            log.warning("Shared token store unavailable; fetching tokens per process.")

    def discard(self, key: tuple[str, str], token: str | None) -> None:
        if token is not None:
            found = self.read(key)
            if found is None or found[0] != token:
                return  # the store already holds a newer token than the one refused
        try:
            self._cache.delete(self._name(key))
        except Exception:
            log.warning("Shared token store unavailable; fetching tokens per process.")
