"""Answers every route can give, added to each operation of the OpenAPI document.

The routes name their own answers (403 for admin-only routes, 409 when time is taken, ...);
these come from the layers around every route and would otherwise go unsaid.
"""

from __future__ import annotations

from typing import Any

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}

ALWAYS = {
    400: "The request could not be read: a malformed body, or more than 1000 parameters.",
    503: "The service cannot reach its database right now; try again shortly.",
}
WITH_INPUT = {
    422: "A parameter or field is missing or breaks a rule; the message names it.",
}
WITH_BODY = {
    413: "The request body is larger than 256 KiB.",
}
WHEN_SIGNED_IN = {
    401: "No valid bearer token or session.",
    429: "Too many requests; wait as Retry-After says.",
}


def error_answer(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def add_common_answers(schema: dict[str, Any]) -> dict[str, Any]:
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            answers = dict(ALWAYS)
            if operation.get("parameters") or operation.get("requestBody"):
                answers |= WITH_INPUT
            if operation.get("requestBody"):
                answers |= WITH_BODY
            if operation.get("security"):
                answers |= WHEN_SIGNED_IN
            responses = operation.setdefault("responses", {})
            for status, description in answers.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = error_answer(description)
    return schema
