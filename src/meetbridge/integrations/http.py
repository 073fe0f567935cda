"""The HTTP below every provider: pooled sessions, one call-with-retries loop, calls reported.

Provider-neutral. A provider asks `pooled_session()` for its connection pool (one per CA bundle,
so Microsoft's `MICROSOFT_CA_BUNDLE` and Google's system trust stay apart), and is an
`HttpProvider`, whose one loop makes each API call: attempts and waits by its `RetryPolicy`,
the `Retry-After` both Google and Microsoft Graph send with 429 and 503, a per-person pause
shared by every thread when the provider says "slow down", one token renewal after a 401, a
look for what a lost answer may have made, and one `report_call` per call, which is how every
use of a tenant's credentials reaches the audit log in the same words whichever provider
made it.

What stays with each provider (the hooks of `HttpProvider`) is what differs: how a request is
sent and a token fetched, which answers are worth another attempt (its `classify`: SLOW_DOWN,
TRY_AGAIN or FINAL), and the diagnosis of a refusal.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from http.cookiejar import DefaultCookiePolicy
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import orjson
import requests

from meetbridge.integrations import pieces, transport
from meetbridge.integrations.backoff import BACKOFF, PersonBackoff, RetryPolicy
from meetbridge.integrations.provider import (
    CallObserver,
    CallRecord,
    EventDraft,
    EventView,
    FreeBusy,
    Interval,
    ProviderError,
)
from meetbridge.integrations.tokens import TOKENS, TokenCache
from meetbridge.integrations.transport import USER_AGENT, Answer, Transport

T = TypeVar("T")

MAX_RETRY_AFTER_SECONDS = 3600.0

_sessions: dict[str | None, requests.Session] = {}
_sessions_lock = threading.Lock()


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
    session.verify = transport.environment_ca_bundle() or True
    session.trust_env = bool(requests.utils.getproxies())
    return session


def pooled_session(ca_bundle: str | None = None) -> requests.Session:
    """One requests session per CA bundle, for the token endpoints (and API calls through a
    proxy): requests is what google-auth and msal speak."""
    with _sessions_lock:
        if ca_bundle not in _sessions:
            _sessions[ca_bundle] = _new_session(ca_bundle)
        return _sessions[ca_bundle]


def api_transport(ca_bundle: str | None = None) -> Transport:
    """How every API call of a provider travels from this process (`transport.py`)."""
    return transport.pooled_transport(ca_bundle, lambda: pooled_session(ca_bundle))


def json_or_text(response: Answer) -> Any:
    """The answer's JSON, or the start of its text when it is not JSON (for a diagnosis).

    JSON comes as UTF-8 (RFC 8259), read by orjson: a 50-person free/busy answer is parsed in a
    third of the time."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.content.decode("utf-8", errors="replace")[:500]


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


def report_failure(
    observe: CallObserver,
    error: ProviderError,
    *,
    operation: str,
    subject: str,
    started: float,
    attempts: int,
    status: int,
    detail: str = "",
    retry_after: float | None = None,
) -> NoReturn:
    """Reports a call that failed with `error` (its code is the outcome), then raises it."""
    report_call(
        observe, operation=operation, subject=subject, outcome=error.code, started=started,
        attempts=attempts, status=status, detail=detail,
    )  # fmt: skip
    error.retry_after = retry_after
    # Without the chained cause: the provider's raw answer stays out of tracebacks and logs.
    raise error from None


# --- one call, retried ------------------------------------------------------------------------

# What a provider's `classify` says of a failed answer.
SLOW_DOWN = "slow_down"  # over a rate limit: the person pauses, every thread waits it out
TRY_AGAIN = "try_again"  # passing trouble: this call waits (Retry-After honoured), then retries
FINAL = "final"  # another attempt would get the same answer


@dataclass(frozen=True)
class Call:
    """One API operation of a provider, as the shared loop makes it."""

    operation: str  # the provider's own name, for the audit log (`calendar.events.insert`)
    method: str
    url: str
    subject: str  # the person (or mailbox) it is made for; pauses are per credential and subject
    observe: CallObserver
    params: Mapping[str, str] | None = None
    body: Any = None
    # Statuses the caller handles itself, with the outcome the audit log gives each.
    accept: Mapping[int, str] = field(default_factory=dict)
    detail: str = ""
    # For a create: the thing an earlier attempt made, or None; asked before an attempt that
    # follows one whose answer never came (no answer, or a 5xx the change may hide behind).
    reconcile: Callable[[], Any] | None = None


def _unless_unreadable(ask: Callable[[CallObserver], T]) -> Callable[[CallObserver], Any]:
    """`ask`, answering a refusal that waiting will not fix (this person's calendar cannot be
    read) instead of raising it; passing trouble is still raised."""

    def run(observe: CallObserver):
        try:
            return ask(observe)
        except ProviderError as error:
            if error.retryable:
                raise
            return error

    return run


def _expects_body(method: str, status: int) -> bool:
    return status < 300 and status not in (202, 204) and method != "DELETE"


class HttpProvider:
    """What every calendar provider that calls an HTTP API shares: its settings, tokens kept
    per credential, one loop that makes each call with retries (`_call`), the audit records,
    and pieces of a question asked side by side.

    A provider states only what is its own, in the hooks below: where its API is (`_url`),
    how a token is fetched and which token serves whom, how a request is sent, which answers
    are worth another attempt (`_classify`) and how a refusal is diagnosed.
    """

    name = ""
    # Statuses a caller may ask to handle itself, as the audit log names them.
    ACCEPTED_OUTCOMES: Mapping[int, str] = {404: "not_found", 409: "conflict", 410: "gone"}
    # The most one free/busy call may ask about; pieces of a larger question go side by side
    # on the provider's pool.
    FREE_BUSY_SPAN: timedelta
    FREE_BUSY_PEOPLE: int
    free_busy_pool: Executor
    CREATE_OPERATION = ""  # the provider's name of an event insert, for the audit log
    NO_VIDEO_LINK_NOTE = "video asked, but the calendar made a meeting without a video link"

    def __init__(
        self,
        *,
        credential_key: str,
        config: Any,  # the provider's settings; `config.retry` is its RetryPolicy
        observe: CallObserver | None = None,  # receives one CallRecord per call (the audit)
        tokens: TokenCache = TOKENS,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        backoff: PersonBackoff = BACKOFF,
    ) -> None:
        self._credential_key = credential_key  # integration and key version: tokens per key
        self._config = config
        self._observe = observe or (lambda record: None)
        self._tokens = tokens
        self._sleep = sleep
        self._jitter = jitter
        self._backoff = backoff

    # -- what each provider states --

    def _url(self, path: str) -> str:
        raise NotImplementedError

    def _token_key(self, subject: str) -> tuple[str, str]:
        """Which cached token serves calls for `subject`."""
        raise NotImplementedError

    def _fetch_token(self, subject: str, observe: CallObserver) -> tuple[str, float]:
        """A new token and its lifetime in seconds, or ProviderError."""
        raise NotImplementedError

    def _send(self, call: Call, token: str) -> Answer:
        raise NotImplementedError

    def _classify(self, status: int, data: Any) -> str:
        """SLOW_DOWN, TRY_AGAIN or FINAL for an answer that is neither 2xx nor accepted."""
        raise NotImplementedError

    def _refused(self, call: Call, status: int, data: Any) -> ProviderError:
        raise NotImplementedError

    def _unreachable(self, call: Call) -> ProviderError:
        raise NotImplementedError

    def _malformed(self, call: Call, status: int) -> ProviderError:
        raise NotImplementedError

    def _free_busy_piece(
        self, subject: str, emails: list[str], start: datetime, end: datetime, observe
    ) -> FreeBusy:
        """One free/busy call, within the provider's limits."""
        raise NotImplementedError

    def _left_out(self, organizer: str, event_id: str) -> str | None:
        """What identifies our event `event_id` in every person's calendar (for busy_besides)."""
        raise NotImplementedError

    def _busy_events(
        self, person: str, start: datetime, end: datetime, leave_out: str | None, observe
    ) -> list[Interval]:
        """`person`'s busy time read event by event, the event `leave_out` left out."""
        raise NotImplementedError

    def _event_body(self, draft: EventDraft) -> Any:
        """The provider's event resource for a draft; ValueError says what is wrong with it."""
        raise NotImplementedError

    def _insert(self, organizer: str, draft: EventDraft, body: Any) -> EventView:
        """Creates the event once per `draft.event_id` (a repeat answers the event the first
        made, or whatever event the id already names: the caller checks the marker)."""
        raise NotImplementedError

    def _move(self, subject, event_id, start, end, time_zone, attendee_emails) -> EventView:
        raise NotImplementedError

    # -- events: what every provider checks the same way --

    def create_event(self, *, draft: EventDraft) -> EventView:
        try:
            body = self._event_body(draft)
        except ValueError as exc:
            raise ProviderError("invalid_request", f"The event cannot be created: {exc}.") from exc
        organizer = draft.organizer_email.strip().lower()
        view = self._insert(organizer, draft, body)
        if not view.carries(draft.marker):
            raise ProviderError(
                "conflict",
                f"An event with id {draft.event_id} already exists on {organizer}'s calendar "
                "and was not created by this booking.",
                status=409,
            )
        if draft.video and not view.video_link:
            # The calendar answered with a plain meeting (no video service for this person):
            # the booking says so to people; the audit log says so to the admin.
            self._record(
                self._observe, self.CREATE_OPERATION, organizer, "no_video_link",
                time.monotonic(), 1, 201, self.NO_VIDEO_LINK_NOTE,
            )  # fmt: skip
        return view

    def move_event(
        self,
        *,
        as_email: str,
        event_id: str,
        start: datetime,
        end: datetime,
        time_zone: str,
        attendee_emails: Sequence[str] | None = None,
    ) -> EventView:
        if end <= start:
            raise ProviderError("invalid_request", "A meeting must end after it starts.")
        subject = as_email.strip().lower()
        return self._move(subject, event_id, start, end, time_zone, attendee_emails)

    # -- free/busy --

    def free_busy(
        self, *, as_email: str, emails: list[str], start: datetime, end: datetime
    ) -> FreeBusy:
        if end <= start:
            raise ProviderError(
                "invalid_request", "The time range is empty: its end must come after its start."
            )
        subject = as_email.strip().lower()
        people = pieces.normalise_emails(emails)
        if not people:
            return FreeBusy(busy={})
        asks = [
            partial(self._free_busy_piece, subject, batch, span.start, span.end)
            for span in pieces.split_range(start, end, self.FREE_BUSY_SPAN)
            for batch in pieces.batches(people, self.FREE_BUSY_PEOPLE)
        ]
        if len(asks) == 1:
            return asks[0](self._observe)
        self._token(subject, self._observe)  # one token before fanning out
        return pieces.merge_freebusy(self._side_by_side(self.free_busy_pool, asks))

    def busy_besides(
        self, *, as_email: str, emails: list[str], start: datetime, end: datetime, event_id: str
    ) -> FreeBusy:
        """Each person's events read side by side, ours left out (see CalendarProvider). A
        person whose calendar cannot be read is `unknown`; passing trouble fails the whole."""
        if end <= start:
            raise ProviderError(
                "invalid_request", "The time range is empty: its end must come after its start."
            )
        leave_out = self._left_out(as_email.strip().lower(), event_id)
        people = pieces.normalise_emails(emails)
        asks = [
            _unless_unreadable(partial(self._busy_events, person, start, end, leave_out))
            for person in people
        ]
        busy: dict[str, list[Interval]] = {}
        unknown: dict[str, str] = {}
        found_all = self._side_by_side(self.free_busy_pool, asks)
        for person, found in zip(people, found_all, strict=True):
            if isinstance(found, ProviderError):
                unknown[person] = found.code
            else:
                busy[person] = found
        return FreeBusy(busy=busy, unknown=unknown)

    def _read_own_calendar(self, subject: str) -> str | None:
        """With a fresh token, the free/busy of `subject`'s own next hour: None when it was
        read, else why not (a check must see the setup as it is now, not a cached token)."""
        self._forget_token(subject)
        now = datetime.now(UTC).replace(microsecond=0)
        found = self.free_busy(
            as_email=subject, emails=[subject], start=now, end=now + timedelta(hours=1)
        )
        return found.unknown.get(subject)

    # -- tokens --

    def _token(self, subject: str, observe: CallObserver) -> str:
        return self._tokens.get(
            self._token_key(subject), lambda: self._fetch_token(subject, observe)
        )

    def _forget_token(self, subject: str, token: str | None = None) -> None:
        self._tokens.forget(self._token_key(subject), token)

    # -- calls --

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        subject: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        accept: tuple[int, ...] | Mapping[int, str] = (),
        detail: str = "",
        observe: CallObserver | None = None,
        reconcile: Callable[[], Any] | None = None,
    ) -> tuple[int, Any]:
        """One API operation, retried as the provider allows: (status, JSON) or ProviderError.

        Statuses in `accept` are answers the caller handles itself, not failures (a mapping
        names the audit outcome of each). `reconcile`, for a create, is asked before an attempt
        that follows one whose answer never came: what it finds is the answer.
        """
        if not isinstance(accept, Mapping):
            accept = {s: self.ACCEPTED_OUTCOMES.get(s, f"http_{s}") for s in accept}
        call = Call(
            operation=operation,
            method=method,
            url=self._url(path),
            subject=subject,
            observe=observe or self._observe,
            params=params,
            body=body,
            accept=accept,
            detail=detail,
            reconcile=reconcile,
        )
        return self._with_retries(call)

    def _with_retries(self, call: Call) -> tuple[int, Any]:
        policy: RetryPolicy = self._config.retry
        started = time.monotonic()
        person = (self._credential_key, call.subject)
        attempt = 0
        renewed_token = uncertain = False

        def fail(error: ProviderError, attempts: int, status: int, detail: str, retry_after=None):
            report_failure(
                call.observe, error, operation=call.operation, subject=call.subject,
                started=started, attempts=attempts, status=status, detail=detail,
                retry_after=retry_after,
            )  # fmt: skip

        while True:
            attempt += 1
            paused = self._backoff.remaining(person)
            if paused > 0:
                # The provider told another call for this person to slow down: wait the pause
                # out with them when the policy would wait that long anyway, else say when to
                # come back, without spending another call against the limit.
                if paused > policy.max_delay:
                    error = self._refused(call, 429, "")
                    fail(error, attempt - 1, 0, "not sent: backing off", retry_after=paused)
                self._sleep(paused)
            token = self._token(call.subject, call.observe)
            if uncertain and call.reconcile is not None:
                found = call.reconcile()
                if found is not None:
                    self._record(
                        call.observe, call.operation, call.subject, "ok", started, attempt, 200,
                        "found after a lost answer",
                    )  # fmt: skip
                    return 200, found
            try:
                response = self._send(call, token)
            except transport.TRANSPORT_ERRORS:
                uncertain = True  # the request may have been carried out
                if not policy.gives_up_after(attempt):
                    self._sleep(policy.delay(attempt, self._jitter))
                    continue
                fail(self._unreachable(call), attempt, 0, call.detail)

            status = response.status_code
            data = json_or_text(response) if response.content else None
            if status < 300 or status in call.accept:
                self._backoff.succeeded(person)
                outcome = "ok" if status < 300 else call.accept[status]
                self._record(
                    call.observe, call.operation, call.subject, outcome, started, attempt, status,
                    call.detail,
                )  # fmt: skip
                if _expects_body(call.method, status) and not isinstance(data, Mapping):
                    raise self._malformed(call, status)
                return status, data
            if status == 401 and not renewed_token:
                # A token the provider no longer accepts (revoked, clocks disagree): one renewal.
                self._forget_token(call.subject, token)
                renewed_token = True
                continue
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            verdict = self._classify(status, data)
            if verdict == SLOW_DOWN:
                # The pause is the person's, not this call's: the next attempt (this call's or
                # any other's for the same person) waits for it at the top of the loop.
                pause = self._backoff.limited(person, retry_after, first=policy.base_delay)
                if not policy.gives_up_after(attempt) and pause <= policy.max_delay:
                    continue
                fail(self._refused(call, status, data), attempt, status, call.detail, pause)
            if verdict == TRY_AGAIN and not policy.gives_up_after(attempt):
                uncertain = uncertain or status >= 500  # a 4xx was refused before any change
                self._sleep(policy.delay(attempt, self._jitter, retry_after))
                continue
            fail(self._refused(call, status, data), attempt, status, call.detail, retry_after)

    def _side_by_side(self, pool: Executor, asks: list[Callable[[CallObserver], T]]) -> list[T]:
        """Asks pieces of one question on `pool`'s threads; their calls reach the audit log
        on the caller's thread (where its database lives), in one go when the observer can."""
        collected: list[CallRecord] = []  # list.append is atomic: safe from the pool's threads
        futures = [pool.submit(ask, collected.append) for ask in asks]
        try:
            return [future.result() for future in futures]
        finally:
            for future in futures:
                future.exception()  # waits: every piece is over before its records are written
            observe_all = getattr(self._observe, "observe_all", None)
            if observe_all is not None:
                observe_all(collected)
            else:
                for record in collected:
                    self._observe(record)

    # -- the audit trail --

    def _record(self, observe, operation, subject, outcome, started, attempts, status, detail=""):
        report_call(
            observe, operation=operation, subject=subject, outcome=outcome, started=started,
            attempts=attempts, status=status, detail=detail,
        )  # fmt: skip

    def _fail(self, observe, operation, subject, started, attempts, status, diagnosis):
        """Reports a call that failed as a provider's `diagnosis` says, and raises its error."""
        report_failure(
            observe, diagnosis.error(status), operation=operation, subject=subject,
            started=started, attempts=attempts, status=status,
        )  # fmt: skip
