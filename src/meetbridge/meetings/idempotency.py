"""Idempotency keys: checking a key, and fingerprinting the request it was sent with. Pure.

A client that repeats a request with the same `Idempotency-Key` gets the first answer back.
The same key sent with a different request is a client bug, answered with a clear error,
never silently treated as the first request.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from meetbridge.tenants.rules import RuleViolation

MAX_KEY_LENGTH = 255
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, like other HTTP tokens


def check_key(raw: str | None) -> str | None:
    """The key to use, or None when the header was not sent."""
    if raw is None:
        return None
    key = raw.strip()
    if not KEY_PATTERN.match(key):
        raise RuleViolation(
            "invalid_idempotency_key",
            f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} visible ASCII characters "
            "without spaces, for example a UUID.",
        )
    return key


def fingerprint(operation: str, payload: Mapping[str, Any]) -> str:
    """A digest of what was asked: equal for the same request however its JSON was spelled."""
    canonical = json.dumps(
        [operation, payload], sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def key_reused_error() -> RuleViolation:
    return RuleViolation(
        "idempotency_key_reused",
        "This Idempotency-Key was already used for a different request; send a new key for a "
        "new booking, or repeat the first request exactly to get its answer.",
    )
