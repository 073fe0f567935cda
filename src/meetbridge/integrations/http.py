"""The HTTP below every provider: pooled sessions, answers read safely, calls reported.

Provider-neutral. A provider asks `pooled_session()` for its connection pool (one per CA bundle,
so Microsoft's `MICROSOFT_CA_BUNDLE` and Google's system trust stay apart), and reports each
call it made through `report_call`, which is how every use of a tenant's credentials reaches
the audit log in the same words whichever provider made it. `parse_retry_after` reads the
`Retry-After` both Google and Microsoft Graph send with 429 and 503.

What stays with each provider is what differs: which answers are worth another attempt (its
classify step), how a token is renewed, and the diagnosis of a refusal.
"""

from __future__ import annotations

import email.utils
import os
import threading
import time
from datetime import UTC, datetime
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import requests

from meetbridge.integrations.provider import CallObserver, CallRecord

USER_AGENT = "meetbridge/0.1"
MAX_RETRY_AFTER_SECONDS = 3600.0

_sessions: dict[str | None, requests.Session] = {}
_sessions_lock = threading.Lock()


def _environment_ca_bundle() -> str | None:
    """The CA bundle the environment names, as requests itself would pick it."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")


def _new_session(ca_bundle: str | None) -> requests.Session:
    session = requests.Session()
    # As many kept-alive connections as the threads that may call a provider at once (a
    # server process's request threads plus the free/busy pools): a smaller pool throws
    # connections away under load and pays a new TCP and TLS handshake for each.
    adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=100, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    # Cookies are the one per-response state a Session keeps; refusing them all keeps the
    # shared session free of writes from concurrent threads.
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    session.headers["User-Agent"] = USER_AGENT
    if ca_bundle:
        # A bundle the operator named for this provider must really apply: requests would let
        # REQUESTS_CA_BUNDLE override a session's own `verify` unless the environment is ignored.
        session.verify = ca_bundle
        session.trust_env = False
        return session
    # requests reads the environment (proxies, CA bundle, .netrc) on every call when trust_env
    # is set, about a millisecond each. The CA bundle is read once here; with a proxy
    # configured the environment stays in charge (NO_PROXY needs it per URL).
    session.verify = _environment_ca_bundle() or True
    session.trust_env = bool(requests.utils.getproxies())
    return session


def pooled_session(ca_bundle: str | None = None) -> requests.Session:
    """One connection pool per CA bundle for every provider call from this process."""
    with _sessions_lock:
        if ca_bundle not in _sessions:
            _sessions[ca_bundle] = _new_session(ca_bundle)
        return _sessions[ca_bundle]


def json_or_text(response: requests.Response) -> Any:
    """The answer's JSON, or the start of its text when it is not JSON (for a diagnosis)."""
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (seconds, or an HTTP date); None when it is
    missing, unreadable, negative or an hour or more (a pause that long is not waited out)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())
    return seconds if 0 <= seconds < MAX_RETRY_AFTER_SECONDS else None


def report_call(
    observe: CallObserver,
    *,
    operation: str,
    subject: str,
    outcome: str,
    started: float,
    attempts: int,
    status: int,
    detail: str = "",
) -> None:
    """One provider call, however many attempts it took, as the audit log records it."""
    parts = [f"HTTP {status}" if status else "no answer"]
    if attempts > 1:
        parts.append(f"{attempts} attempts")
    if detail:
        parts.append(detail)
    observe(
        CallRecord(
            operation=operation,
            subject_email=subject,
            outcome=outcome,
            latency_ms=int((time.monotonic() - started) * 1000),
            detail=", ".join(parts),
        )
    )
