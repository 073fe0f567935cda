"""Identifiers in the shapes Google uses for them."""

from __future__ import annotations

import base64
import re
import secrets
import string

# Event ids a client may choose: base32hex (lower case a-v and digits), 5 to 1024 characters.
_EVENT_ID = re.compile(r"[a-v0-9]{5,1024}")


def is_valid_event_id(value: str) -> bool:
    return isinstance(value, str) and _EVENT_ID.fullmatch(value) is not None


def new_event_id() -> str:
    return base64.b32hexencode(secrets.token_bytes(15)).decode().lower()


def new_client_id() -> str:
    """A numeric OAuth client id, 21 digits like real service accounts'."""
    return "1" + "".join(secrets.choice(string.digits) for _ in range(20))


def new_project_number() -> str:
    return str(secrets.randbelow(9 * 10**11) + 10**11)


def new_private_key_id() -> str:
    return secrets.token_hex(20)


def new_access_token() -> str:
    return "ya29.sandbox-" + secrets.token_urlsafe(32)


def new_meet_code() -> str:
    """A Meet conference id such as `abc-defg-hij`."""
    letters = string.ascii_lowercase
    parts = (3, 4, 3)
    return "-".join("".join(secrets.choice(letters) for _ in range(n)) for n in parts)


def new_etag() -> str:
    return f'"{secrets.randbelow(9 * 10**15) + 10**15}"'


def new_subject() -> str:
    """A Google account id (`sub`): 21 digits."""
    return "1" + "".join(secrets.choice(string.digits) for _ in range(20))


def new_oauth_client_id() -> str:
    return new_client_id()[:12] + "-" + secrets.token_hex(16) + ".apps.googleusercontent.com"


def new_oauth_client_secret() -> str:
    return "GOCSPX-" + secrets.token_urlsafe(21)


def new_authorization_code() -> str:
    return "4/0A" + secrets.token_urlsafe(40)
