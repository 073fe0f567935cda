"""Where a sign-in ends: the page the person was sent from (`?next=`), if it is one of ours.

A `next` is kept only when it is a path on this site: it starts with one `/`, has no scheme or
host (so not `//evil`, `/\\evil`, `https://evil` or `javascript:`), no control characters and
no more than `MAX_LENGTH` characters. Anything else means the home page.
"""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme

MAX_LENGTH = 2000


def safe_next(candidate: str | None, host: str, *, require_https: bool = False) -> str:
    """`candidate` if it is a same-site path to go to after signing in, else ""."""
    if not candidate or len(candidate) > MAX_LENGTH or not candidate.startswith("/"):
        return ""
    if candidate.startswith(("//", "/\\")) or any(
        ord(c) < 0x20 or ord(c) == 0x7F for c in candidate
    ):
        return ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={host}, require_https=require_https
    )
    return candidate if allowed else ""
