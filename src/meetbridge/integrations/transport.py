"""How a provider's API call travels: a kept-alive urllib3 pool per CA bundle.

An availability answer makes one API call, and requests spent more CPU preparing it than
urllib3 spends making it (merging session and environment settings, hooks, cookies, parsing the
URL again): about a seventh of a server's CPU per answer. API calls therefore go straight to
urllib3, the pool requests itself sits on. When the environment names a proxy, they go through
a requests session instead, which applies HTTPS_PROXY and NO_PROXY as it always has. Token
endpoints keep requests: google-auth and msal bring their own use of it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import certifi
import orjson
import requests
import urllib3

USER_AGENT = "meetbridge/0.1"
_HEADERS = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
_JSON_HEADERS = {**_HEADERS, "Content-Type": "application/json"}

# What a call that got no answer raises, whichever way it travelled.
TRANSPORT_ERRORS = (urllib3.exceptions.HTTPError, requests.RequestException)


@dataclass(frozen=True)
class Answer:
    status_code: int
    content: bytes
    headers: Mapping[str, str]  # names in any case: `headers.get("retry-after")` finds it


class Transport(Protocol):
    def send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None,
        body: Any,
        headers: Mapping[str, str],
        timeout: tuple[float, float],  # connect, read
    ) -> Answer: ...


class PooledTransport:
    """Calls on one urllib3 pool: kept-alive connections, certificates checked against
    `ca_bundle`. Redirects are not followed (an API answer is never one), so a bearer token
    never travels to another host."""

    def __init__(self, ca_bundle: str) -> None:
        # As many kept-alive connections per host as threads may call at once (a server's
        # request threads plus the free/busy pools): fewer throws connections away under load.
        self._pool = urllib3.PoolManager(
            num_pools=8, maxsize=100, cert_reqs="CERT_REQUIRED", ca_certs=ca_bundle
        )

    def send(self, method, url, *, params, body, headers, timeout) -> Answer:
        if params:
            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params, doseq=True)}"
        payload = None
        if body is not None:
            payload = orjson.dumps(body)
            headers = {**_JSON_HEADERS, **headers}
        else:
            headers = {**_HEADERS, **headers}
        response = self._pool.request(
            method,
            url,
            body=payload,
            headers=headers,
            timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
            retries=False,
            redirect=False,
        )
        return Answer(response.status, response.data, response.headers)


class SessionTransport:
    """Calls through a requests session: for a proxy named in the environment."""

    def __init__(self, session: requests.Session) -> None:
        self._session = session

    def send(self, method, url, *, params, body, headers, timeout) -> Answer:
        response = self._session.request(
            method, url, params=params, json=body, headers=headers, timeout=timeout
        )
        return Answer(response.status_code, response.content, response.headers)


_transports: dict[str | None, Transport] = {}
_transports_lock = threading.Lock()


def environment_ca_bundle() -> str | None:
    """The CA bundle the environment names, as requests itself would pick it."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")


def pooled_transport(ca_bundle: str | None, session: Callable[[], requests.Session]) -> Transport:
    """One transport per CA bundle for every provider API call from this process.

    A bundle the operator named for a provider applies whatever the environment says; without
    one, the environment's bundle or certifi's (what requests would use), and a proxy the
    environment names goes through `session()`."""
    found = _transports.get(ca_bundle)
    if found is not None:
        return found
    with _transports_lock:
        found = _transports.get(ca_bundle)
        if found is None:
            if ca_bundle is None and requests.utils.getproxies():
                found = SessionTransport(session())
            else:
                found = PooledTransport(ca_bundle or environment_ca_bundle() or certifi.where())
            _transports[ca_bundle] = found
        return found
