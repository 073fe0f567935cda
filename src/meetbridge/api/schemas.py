from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import BaseModel, model_validator
from pydantic_core import PydanticCustomError

from meetbridge.api.text import first_invalid_text


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorDetail


class JsonObjectIn(BaseModel):
    """The base of every JSON body the API reads.

    A plain pydantic model rather than ninja's `Schema`: `Schema` reads any value as an
    object of attributes, so `null`, `[]` or `true` would validate as "every field left out".
    Here anything but a JSON object is refused, and so is text no database can store.
    """

    @model_validator(mode="before")
    @classmethod
    def _object_of_storable_text(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise PydanticCustomError(
                "json_object", 'the body must be a JSON object such as {"name": value}'
            )
        where = first_invalid_text(data, where="")
        if where is not None:
            raise PydanticCustomError(
                "invalid_text",
                "{where} holds text that is not valid Unicode (a lone UTF-16 surrogate) or a "
                "NUL character",
                {"where": where or "a field name"},
            )
        return data
