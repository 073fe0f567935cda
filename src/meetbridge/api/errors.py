"""The one error shape of the API: {"error": {"code", "message"}} with a fitting status."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """Raise anywhere under the API to answer with the contract's error shape.

    `headers` go on the response too (e.g. `Retry-After` on a 429).
    """

    headers: dict[str, str] = {}  # noqa: RUF012 (replaced per instance, never mutated)

    # Response headers that go with the answer, such as Retry-After.
    headers: dict[str, str] = {}  # never mutated: an error that has headers gets its own dict

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, **self.extra)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def not_found(what: str = "That resource") -> ApiError:
    return ApiError(404, "not_found", f"{what} does not exist or is not yours to see.")


def forbidden(message: str = "Only tenant admins can do that.") -> ApiError:
    return ApiError(403, "forbidden", message)


def describe_validation_errors(errors: list[dict[str, Any]]) -> str:
    """Turn pydantic/ninja validation errors into one sentence naming each field."""
    parts = []
    for error in errors[:5]:
        location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "payload")]
        field = ".".join(location) or "request"
        parts.append(f"{field}: {error.get('msg', 'is invalid')}")
    more = len(errors) - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "") + "."
