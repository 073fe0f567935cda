"""Google's own Python clients pointed at the sandbox, and the discovery document's schemas."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import googleapiclient
import jsonschema
from google.oauth2 import service_account
from googleapiclient.discovery import build

CALENDAR = "https://www.googleapis.com/auth/calendar"
DISCOVERY = Path(googleapiclient.__file__).parent / "discovery_cache/documents/calendar.v3.json"


def credentials(key: dict, subject: str | None, scopes=(CALENDAR,)):
    return service_account.Credentials.from_service_account_info(
        key, scopes=list(scopes), subject=subject
    )


def calendar(sandbox, key: dict, subject: str | None, scopes=(CALENDAR,)):
    return build(
        "calendar",
        "v3",
        credentials=credentials(key, subject, scopes),
        static_discovery=True,
        client_options={"api_endpoint": sandbox.api_endpoint},
        cache_discovery=False,
    )


@cache
def discovery() -> dict:
    return json.loads(DISCOVERY.read_text())


def _strict(schema):
    """Discovery schema -> JSON Schema: `$ref`s point into `definitions`, and objects with
    declared properties reject undeclared ones, so a field Google does not have fails."""
    if isinstance(schema, list):
        return [_strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {}
    for key, value in schema.items():
        if key == "$ref":
            converted["$ref"] = f"#/definitions/{value}"
        elif key in ("properties", "additionalProperties", "items"):
            converted[key] = (
                {name: _strict(s) for name, s in value.items()}
                if key == "properties"
                else _strict(value)
            )
        elif key in ("format", "id", "annotations"):
            continue  # formats like int64 are strings in JSON; not what we check here
        elif key == "type" and value == "any":
            continue  # discovery's "any": no constraint
        else:
            converted[key] = value
    if converted.get("type") == "object" and "properties" in converted:
        converted.setdefault("additionalProperties", False)
    return converted


def assert_matches_schema(instance: dict, schema_name: str) -> None:
    definitions = {name: _strict(s) for name, s in discovery()["schemas"].items()}
    schema = {"$ref": f"#/definitions/{schema_name}", "definitions": definitions}
    jsonschema.validate(instance, schema, cls=jsonschema.Draft7Validator)
