"""The client's IP address, for counting failed sign-ins per address (throttle.py).

Behind proxies, `REMOTE_ADDR` is the nearest proxy's. Each proxy appends the address it was
reached from to `X-Forwarded-For`, so with N trusted proxies in front of meetbridge the client's
address is the N-th entry from the right; entries further left were written by the client
itself and are never used. With no trusted proxy (the default) the header is ignored.
"""

from __future__ import annotations

import ipaddress

UNKNOWN = "0.0.0.0"  # noqa: S104  (no address at all: all such requests are counted together)


def client_address(remote_addr: str | None, forwarded_for: str | None, trusted_proxies: int) -> str:
    """The address to count: the N-th `X-Forwarded-For` entry from the right when N proxies are
    trusted and that entry is an IP address; otherwise `REMOTE_ADDR`."""
    direct = _ip(remote_addr) or UNKNOWN
    if trusted_proxies <= 0 or not forwarded_for:
        return direct
    entries = forwarded_for.split(",")
    if len(entries) < trusted_proxies:
        return direct
    return _ip(entries[-trusted_proxies]) or direct


def _ip(text: str | None) -> str | None:
    """`text` as a canonical IP address, or None (ports, names, IPv6 zones: not an address)."""
    text = (text or "").strip()
    if "%" in text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
