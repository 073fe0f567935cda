"""Text the API refuses before it reaches the database. Pure.

JSON may spell a lone UTF-16 surrogate (`"\\ud800"`), which no database can store as UTF-8,
and a NUL character, which PostgreSQL refuses in text. Neither belongs in any field here.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 32


def is_valid_text(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def first_invalid_text(value: Any, where: str = "body", depth: int = 0) -> str | None:
    """Where the first string (key or value) that is not storable text is, or None."""
    if isinstance(value, str):
        return None if is_valid_text(value) else where
    if depth >= MAX_DEPTH:
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not is_valid_text(key):
                return where
            found = first_invalid_text(item, f"{where}.{key}" if where else str(key), depth + 1)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for position, item in enumerate(value):
            found = first_invalid_text(item, f"{where}[{position}]", depth + 1)
            if found is not None:
                return found
    return None
