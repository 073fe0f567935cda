"""Sealing stored credentials: authenticated encryption under the operator's keys. Pure.

`MultiFernet` over `MEETBRIDGE_ENCRYPTION_KEYS`: the first key encrypts, every key decrypts,
so an operator rotates by putting a new key first, re-sealing (`meetbridge rotatekeys`, or
lazily on the next use), then dropping the old key.

Fernet has no associated data, so the sealed envelope names what it belongs to (tenant and
key id) and opening checks that: a ciphertext copied onto another tenant's row does not open.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class VaultError(Exception):
    """A sealed credential cannot be opened (wrong keys, tampering, or another row's data)."""


class Vault:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise VaultError("No encryption key is configured (MEETBRIDGE_ENCRYPTION_KEYS).")
        fernets = [Fernet(key.encode("ascii") if isinstance(key, str) else key) for key in keys]
        self._newest = fernets[0]
        self._all = MultiFernet(fernets)

    def seal(self, secret: dict[str, Any], *, bound_to: str) -> str:
        envelope = {"bound_to": bound_to, "secret": secret}
        return self._newest.encrypt(orjson.dumps(envelope, option=orjson.OPT_NON_STR_KEYS)).decode(
            "ascii"
        )

    def open(self, sealed: str, *, bound_to: str) -> dict[str, Any]:
        try:
            envelope = orjson.loads(self._all.decrypt(sealed.encode("ascii")))
        except (InvalidToken, ValueError, UnicodeEncodeError):  # orjson's JSONDecodeError too
            raise VaultError(
                "A stored credential cannot be decrypted with the configured encryption keys."
            ) from None
        if not isinstance(envelope, dict) or envelope.get("bound_to") != bound_to:
            raise VaultError("A stored credential does not belong where it was found.")
        return envelope["secret"]

    def is_sealed_with_newest(self, sealed: str) -> bool:
        try:
            self._newest.decrypt(sealed.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            return False
        return True

    def reseal(self, sealed: str) -> str:
        """The same envelope, encrypted under the newest key (the timestamp is kept)."""
        try:
            return self._all.rotate(sealed.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError):
            raise VaultError(
                "A stored credential cannot be decrypted with the configured encryption keys."
            ) from None
