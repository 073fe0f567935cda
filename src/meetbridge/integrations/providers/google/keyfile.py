"""Reading an uploaded Google service-account key file. Pure: no Django, no network.

Every field is treated as hostile: the file arrives from a browser or a script, and its text
later flows into pages, the audit log and messages. So each field has a type, a length bound,
a pattern, and no control characters; the whole file has a size bound; and the private key
must really be an RSA key of at least 2048 bits.

The key's `token_uri` (and its other URLs) are checked for shape but never used: where the
signed assertion goes is decided by the operator's settings, so an uploaded file cannot send
a key-signed token request, or the calendar traffic, to a host of the uploader's choosing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from meetbridge.integrations.provider import CredentialError

MAX_KEY_BYTES = 16 * 1024
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 8192  # parsing cost grows with size; Google issues 2048

# What Google's console puts in a JSON key; `universe_domain` only in keys made since 2023.
REQUIRED_FIELDS = (
    "type",
    "project_id",
    "private_key_id",
    "private_key",
    "client_email",
    "client_id",
    "auth_uri",
    "token_uri",
    "auth_provider_x509_cert_url",
    "client_x509_cert_url",
)
OPTIONAL_FIELDS = ("universe_domain",)
KNOWN_FIELDS = REQUIRED_FIELDS + OPTIONAL_FIELDS
MAX_FIELDS = 32
MAX_FIELD_CHARS = 2048
MAX_PRIVATE_KEY_CHARS = 8192

# Project ids: 6-30 of a-z 0-9 -, starting with a letter; old domain-scoped ones are "domain:id".
PROJECT_ID = re.compile(
    r"^(?:(?P<domain>[a-z0-9][a-z0-9.-]{0,62}[a-z0-9]):)?(?P<id>[a-z][a-z0-9-]{4,28}[a-z0-9])$"
)
ACCOUNT_NAME = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
CLIENT_ID = re.compile(r"^[0-9]{6,30}$")
PRIVATE_KEY_ID = re.compile(r"^[0-9a-f]{16,64}$")
URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?(?:/[\x21-\x7e]*)?$")
PEM_HEADERS = ("-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
PUBLIC_FIELDS = ("client_email", "client_id", "project_id", "private_key_id")

HOW_TO_GET_ONE = (
    "Download it as in Step 1: in the Google Cloud console open IAM & Admin > Service "
    "Accounts, select the service account, and on its Keys tab choose Add key > Create new "
    "key > JSON."
)


class KeyFileError(CredentialError):
    """The upload is not a usable service-account key; the message says what to fix."""


@dataclass(frozen=True)
class ServiceAccountKey:
    """A checked key file. `fields` holds exactly the known fields, all strings."""

    fields: dict[str, str]

    @property
    def client_email(self) -> str:
        return self.fields["client_email"]

    @property
    def client_id(self) -> str:
        return self.fields["client_id"]

    @property
    def project_id(self) -> str:
        return self.fields["project_id"]

    @property
    def private_key_id(self) -> str:
        return self.fields["private_key_id"]

    def public(self) -> dict[str, str]:
        """What may be shown: everything but the private key."""
        return {name: self.fields[name] for name in PUBLIC_FIELDS}

    def __repr__(self) -> str:  # never the private key, even in a debugger or a traceback
        return f"ServiceAccountKey({self.public()!r})"


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for name, value in pairs:
        if name in seen:
            raise KeyFileError(
                "key_not_json", f"The key file names the field {_shown(name)} twice."
            )
        seen[name] = value
    return seen


def _reject_constant(name: str) -> Any:
    raise KeyFileError("key_not_json", f"The key file holds {name}, which JSON does not allow.")


def _shown(value: str, limit: int = 40) -> str:
    """A piece of the upload, safe to echo in a message: printable and short."""
    cleaned = CONTROL.sub("?", value)
    return repr(cleaned if len(cleaned) <= limit else cleaned[:limit] + "…")


def _decode(raw: Any) -> Mapping[str, Any]:
    if isinstance(raw, bytes):
        if len(raw) > MAX_KEY_BYTES:
            raise _too_large(len(raw))
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise KeyFileError(
                "key_not_json",
                "The key file is not text (a .p12 file?). Use the JSON key file. " + HOW_TO_GET_ONE,
            ) from exc
    if isinstance(raw, Mapping):
        try:
            size = len(json.dumps(raw, ensure_ascii=False).encode("utf-8"))
        except (TypeError, ValueError) as exc:
            raise KeyFileError("key_not_json", "The key is not plain JSON.") from exc
        if size > MAX_KEY_BYTES:
            raise _too_large(size)
        return raw
    if not isinstance(raw, str):
        raise KeyFileError(
            "key_not_json",
            "service_account_key must be the key file's JSON: an object, or the file's text.",
        )
    size = len(raw.encode("utf-8"))
    if size > MAX_KEY_BYTES:
        raise _too_large(size)
    text = raw.lstrip("\ufeff").strip()
    if not text:
        raise KeyFileError("key_not_json", "The key is empty. " + HOW_TO_GET_ONE)
    try:
        parsed = json.loads(
            text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as exc:
        raise KeyFileError(
            "key_not_json",
            f"The key is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). "
            "Paste the whole downloaded file, unchanged.",
        ) from exc
    except RecursionError as exc:
        raise KeyFileError("key_not_json", "The key is not a flat JSON object.") from exc
    if not isinstance(parsed, Mapping):
        raise KeyFileError(
            "key_not_json", "The key file must hold one JSON object, like the downloaded file."
        )
    return parsed


def _too_large(size: int) -> KeyFileError:
    return KeyFileError(
        "key_too_large",
        f"The key is {size} bytes; a Google service-account key file is about 2.3 KB and "
        f"meetbridge accepts at most {MAX_KEY_BYTES // 1024} KiB. Upload the JSON key file itself.",
    )


def _check_type(data: Mapping[str, Any]) -> None:
    kind = data.get("type")
    if kind == "service_account":
        return
    if kind in ("authorized_user", "external_account", "impersonated_service_account"):
        detail = f"This is a {kind!s} credential, not a service-account key."
    elif "installed" in data or "web" in data:
        detail = "This is an OAuth client ID file, not a service-account key."
    elif kind is None:
        detail = 'The file has no "type" field, so it is not a Google key file.'
    else:
        detail = f'Its type is {_shown(str(kind))}, not "service_account".'
    raise KeyFileError("key_wrong_type", f"{detail} {HOW_TO_GET_ONE}")


def _check_fields(data: Mapping[str, Any]) -> dict[str, str]:
    if len(data) > MAX_FIELDS:
        raise KeyFileError("key_invalid", "The key file has far more fields than Google's has.")
    missing = [name for name in REQUIRED_FIELDS if name not in data]
    if missing:
        raise KeyFileError(
            "key_missing_fields",
            "The key file lacks " + ", ".join(missing) + ". Upload the file exactly as "
            "Google downloaded it. " + HOW_TO_GET_ONE,
        )
    fields: dict[str, str] = {}
    for name in KNOWN_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if not isinstance(value, str):
            raise KeyFileError("key_invalid", f"The key's {name} must be text.")
        limit = MAX_PRIVATE_KEY_CHARS if name == "private_key" else MAX_FIELD_CHARS
        if len(value) > limit:
            raise KeyFileError("key_invalid", f"The key's {name} is far too long.")
        checked = value.replace("\r\n", "\n").replace("\n", "") if name == "private_key" else value
        if CONTROL.search(checked):
            raise KeyFileError("key_invalid", f"The key's {name} holds control characters.")
        fields[name] = value if name == "private_key" else value.strip()
    return fields


def _expected_email_domain(project_id: str) -> str:
    match = PROJECT_ID.match(project_id)
    assert match is not None
    if match.group("domain"):
        return f"{match.group('id')}.{match.group('domain')}.iam.gserviceaccount.com"
    return f"{project_id}.iam.gserviceaccount.com"


def _check_identity(fields: dict[str, str]) -> None:
    problems = []
    project_id = fields["project_id"]
    if not PROJECT_ID.match(project_id):
        problems.append(f"project_id {_shown(project_id)} is not a Google Cloud project id")
    client_id = fields["client_id"]
    if not CLIENT_ID.match(client_id):
        problems.append(f"client_id {_shown(client_id)} is not numeric")
    if not PRIVATE_KEY_ID.match(fields["private_key_id"]):
        problems.append("private_key_id is not a hexadecimal key id")
    email = fields["client_email"].lower()
    name, _, domain = email.partition("@")
    if not ACCOUNT_NAME.match(name) or not domain.endswith(".iam.gserviceaccount.com"):
        problems.append(
            f"client_email {_shown(email, 80)} is not a service account's address "
            "(NAME@PROJECT.iam.gserviceaccount.com)"
        )
    elif PROJECT_ID.match(project_id) and domain != _expected_email_domain(project_id):
        problems.append(
            f"client_email {_shown(email, 80)} does not belong to project {_shown(project_id)}"
        )
    for url_field in (
        "auth_uri",
        "token_uri",
        "auth_provider_x509_cert_url",
        "client_x509_cert_url",
    ):
        if not URL.match(fields[url_field]):
            problems.append(f"{url_field} is not a URL")
    universe = fields.get("universe_domain")
    if universe is not None and universe != "googleapis.com":
        problems.append(
            "universe_domain is not googleapis.com: domain-wide delegation works only in "
            "Google's public cloud"
        )
    if problems:
        raise KeyFileError(
            "key_invalid",
            "The key file is not a Google service-account key as downloaded: "
            + "; ".join(problems)
            + ". Upload the unmodified file.",
        )
    fields["client_email"] = email


def _check_private_key(pem: str) -> None:
    text = pem.strip()
    if not text.startswith(PEM_HEADERS):
        raise KeyFileError(
            "key_invalid",
            "The key's private_key is not a PEM private key (it should start with "
            "-----BEGIN PRIVATE KEY-----). Upload the unmodified file.",
        )
    try:
        key = load_pem_private_key(text.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError, UnsupportedAlgorithm):
        # Neither the library's message nor its exception is kept: they could quote the key.
        raise KeyFileError(
            "key_invalid",
            "The key's private_key cannot be read as an unencrypted RSA private key; it was "
            "probably changed or cut short. Upload the unmodified file.",
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyFileError(
            "key_invalid", "The key's private_key is not an RSA key, as Google's keys are."
        )
    if not MIN_RSA_BITS <= key.key_size <= MAX_RSA_BITS:
        raise KeyFileError(
            "key_invalid",
            f"The key's RSA key has {key.key_size} bits; Google's keys have {MIN_RSA_BITS}.",
        )


def parse_key(raw: Any) -> ServiceAccountKey:
    """The uploaded key file (object, text or bytes), checked; or KeyFileError."""
    data = _decode(raw)
    _check_type(data)
    fields = _check_fields(data)
    _check_identity(fields)
    _check_private_key(fields["private_key"])
    return ServiceAccountKey(fields=fields)
