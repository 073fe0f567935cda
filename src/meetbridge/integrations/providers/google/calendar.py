"""The Google Workspace calendar provider: google-auth for tokens, Calendar API v3 over HTTP.

No Django here: the caller hands over the decrypted key, where Google is (`GoogleConfig`) and
an observer that receives one `CallRecord` per call made to Google, which is how every use of
a tenant's credentials reaches the audit log from this one place.

Thread-safe: one pooled `requests.Session` serves every thread (nothing here changes its
state per call), tokens come from the process-wide `TokenCache`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import google.auth.exceptions
import google.auth.transport.requests
import requests
from google.oauth2 import service_account

from meetbridge.integrations.backoff import BACKOFF, PersonBackoff
from meetbridge.integrations.http import (
    host,
    json_or_text,
    parse_retry_after,
    pooled_session,
    report_call,
)
from meetbridge.integrations.provider import (
    CallObserver,
    CallRecord,
    EventDraft,
    EventView,
    FreeBusy,
    ProviderError,
)
from meetbridge.integrations.providers.google import wire
from meetbridge.integrations.providers.google.diagnosis import (
    Context,
    Diagnosis,
    api_error_reason,
    diagnose_api_error,
    diagnose_malformed_answer,
    diagnose_token_error,
    diagnose_unreachable,
)
from meetbridge.integrations.providers.google.retry import (
    RetryPolicy,
    is_rate_limit,
    is_retryable,
)
from meetbridge.integrations.providers.google.scope import CALENDAR_SCOPE
from meetbridge.integrations.tokens import TOKENS, TokenCache

# Answers a caller asked to handle itself, as the audit log names them.
ACCEPTED_OUTCOMES = {404: "not_found", 409: "conflict", 410: "gone"}


@dataclass(frozen=True)
class GoogleConfig:
    token_uri: str
    api_base: str  # e.g. https://www.googleapis.com; the Calendar API is below /calendar/v3
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


def shared_session() -> requests.Session:
    """The process's connection pool for Google (the environment's CA bundle)."""
    return pooled_session()


# freeBusy pieces (people beyond 50, ranges beyond 60 days) are asked for side by side.
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="google-freebusy")


class _TimedTokenRequest(google.auth.transport.requests.Request):
    """google-auth's transport on the shared session, with our timeout instead of 120 s."""

    def __init__(self, session: requests.Session, timeout: tuple[float, float]) -> None:
        super().__init__(session)
        self._timeout = timeout

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        return super().__call__(
            url, method=method, body=body, headers=headers, timeout=self._timeout, **kwargs
        )


def _refresh_error_body(exc: google.auth.exceptions.RefreshError) -> Mapping[str, Any] | str:
    """google-auth raises RefreshError(details, response_data): the data is Google's JSON."""
    for arg in exc.args[1:]:
        if isinstance(arg, Mapping):
            return arg
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""


# --- the provider ----------------------------------------------------------------------------


class GoogleWorkspaceProvider:
    """One tenant's Google Workspace, through one service-account key."""

    name = "google"

    def __init__(
        self,
        *,
        key: Mapping[str, str],
        credential_key: str,
        config: GoogleConfig,
        observe: CallObserver | None = None,
        tokens: TokenCache = TOKENS,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        backoff: PersonBackoff = BACKOFF,
    ) -> None:
        self._key = dict(key)
        self._credential_key = credential_key  # integration and key version: tokens per key
        self._config = config
        self._observe = observe or (lambda record: None)
        self._tokens = tokens
        self._sleep = sleep
        self._jitter = jitter
        self._backoff = backoff

    # -- the interface --

    def verify(self, *, as_email: str) -> None:
        """A fresh token for `as_email` and one freeBusy of their own calendar.

        The cached token is dropped first: Google keeps honouring a token after delegation is
        revoked, and a check must see the setup as it is now.
        """
        subject = as_email.strip().lower()
        self._tokens.forget((self._credential_key, subject))
        now = datetime.now(UTC).replace(microsecond=0)
        result = self.free_busy(
            as_email=subject, emails=[subject], start=now, end=now + timedelta(hours=1)
        )
        if subject in result.unknown:
            raise ProviderError(
                "calendar_unreadable",
                f"Google signed meetbridge in as {subject} but could not read their calendar "
                f"({result.unknown[subject]}).",
                fix=f"Make sure {subject} has Google Calendar turned on in your Workspace "
                "(Admin console > Apps > Google Workspace > Calendar), then click Check again.",
                retryable=True,
            )

    def free_busy(
        self, *, as_email: str, emails: list[str], start: datetime, end: datetime
    ) -> FreeBusy:
        if end <= start:
            raise ProviderError(
                "invalid_request", "The time range is empty: its end must come after its start."
            )
        subject = as_email.strip().lower()
        people = wire.normalise_emails(emails)
        if not people:
            return FreeBusy(busy={})
        pieces = [
            (batch, span) for span in wire.split_range(start, end) for batch in wire.batches(people)
        ]
        if len(pieces) == 1:
            batch, span = pieces[0]
            return self._free_busy_piece(subject, batch, span.start, span.end, self._observe)

        self._token(subject, self._observe)  # one token exchange before fanning out
        collected: list[CallRecord] = []  # list.append is atomic: safe from the pool's threads
        futures = [
            _pool.submit(
                self._free_busy_piece, subject, batch, span.start, span.end, collected.append
            )
            for batch, span in pieces
        ]
        try:
            results = [future.result() for future in futures]
        finally:
            for future in futures:
                future.exception()  # waits: every piece is over before its records are written
            self._observe_collected(collected)
        return wire.merge_freebusy(results)

    def _observe_collected(self, collected: list[CallRecord]) -> None:
        """Records of calls made on the pool's threads, reported on the caller's thread (where
        its database lives); in one go when the observer can."""
        observe_all = getattr(self._observe, "observe_all", None)
        if observe_all is not None:
            observe_all(collected)
        else:
            for record in collected:
                self._observe(record)

    def _free_busy_piece(
        self,
        subject: str,
        emails: list[str],
        start: datetime,
        end: datetime,
        observe: CallObserver,
    ) -> FreeBusy:
        _, data = self._call(
            "calendar.freebusy.query",
            "POST",
            "/freeBusy",
            subject,
            body=wire.freebusy_request(emails, start, end),
            detail=f"{len(emails)} calendars",
            observe=observe,
        )
        try:
            return wire.read_freebusy(data, emails)
        except ValueError as exc:
            ctx = self._context(subject, "calendar.freebusy.query")
            raise diagnose_malformed_answer(ctx, "freeBusy").error(200) from exc

    def busy_besides(
        self, *, as_email: str, emails: list[str], start: datetime, end: datetime, event_id: str
    ) -> FreeBusy:
        """Each person's events read as that person (events.list), ours left out by its id."""
        if end <= start:
            raise ProviderError(
                "invalid_request", "The time range is empty: its end must come after its start."
            )
        busy: dict[str, list] = {}
        unknown: dict[str, str] = {}
        collected: list[CallRecord] = []
        futures = {
            person: _pool.submit(self._busy_events, person, start, end, event_id, collected.append)
            for person in wire.normalise_emails(emails)
        }
        try:
            for person, future in futures.items():
                try:
                    busy[person] = future.result()
                except ProviderError as error:
                    if error.retryable:
                        raise
                    unknown[person] = error.code
        finally:
            for future in futures.values():
                future.exception()
            self._observe_collected(collected)
        return FreeBusy(busy=busy, unknown=unknown)

    def _busy_events(
        self, person: str, start: datetime, end: datetime, leave_out: str, observe: CallObserver
    ) -> list:
        found: list = []
        page = None
        while True:
            _, data = self._call(
                "calendar.events.list",
                "GET",
                f"/calendars/{self._calendar(person)}/events",
                person,
                params=wire.events_request(start, end, page),
                detail="busy time without the meeting being moved",
                observe=observe,
            )
            try:
                busy, page = wire.read_busy_events(data, person, leave_out)
            except ValueError as exc:
                ctx = self._context(person, "calendar.events.list")
                raise diagnose_malformed_answer(ctx, "events").error(200) from exc
            found.extend(busy)
            if page is None:
                return found

    def create_event(self, *, draft: EventDraft) -> EventView:
        try:
            body = wire.event_body(draft)
        except ValueError as exc:
            raise ProviderError("invalid_request", f"The event cannot be created: {exc}.") from exc
        organizer = draft.organizer_email.strip().lower()
        params = {"sendUpdates": "all"}
        if draft.video:
            params["conferenceDataVersion"] = "1"
        status, data = self._call(
            "calendar.events.insert",
            "POST",
            f"/calendars/{self._calendar(organizer)}/events",
            organizer,
            params=params,
            body=body,
            accept=(409,),
            detail=f"{len(body['attendees'])} attendees",
        )
        if status != 409:
            return self._event(data, "calendar.events.insert", organizer)
        # The id is taken: our own earlier insert whose answer was lost, or someone else's.
        existing = self.get_event(as_email=organizer, event_id=draft.event_id)
        if wire.marker_matches(existing.marker, draft.marker):
            return existing
        raise ProviderError(
            "conflict",
            f"An event with id {draft.event_id} already exists on {organizer}'s calendar and "
            "was not created by this booking.",
            status=409,
        )

    def get_event(self, *, as_email: str, event_id: str) -> EventView:
        subject = as_email.strip().lower()
        self._check_id(event_id)
        _, data = self._call(
            "calendar.events.get",
            "GET",
            f"/calendars/{self._calendar(subject)}/events/{event_id}",
            subject,
        )
        return self._event(data, "calendar.events.get", subject)

    def move_event(
        self,
        *,
        as_email: str,
        event_id: str,
        start: datetime,
        end: datetime,
        time_zone: str,
        attendee_emails=None,
    ) -> EventView:
        subject = as_email.strip().lower()
        self._check_id(event_id)
        if end <= start:
            raise ProviderError("invalid_request", "A meeting must end after it starts.")
        _, data = self._call(
            "calendar.events.patch",
            "PATCH",
            f"/calendars/{self._calendar(subject)}/events/{event_id}",
            subject,
            params={"sendUpdates": "all"},
            body=wire.move_body(start, end, time_zone, subject, attendee_emails),
        )
        return self._event(data, "calendar.events.patch", subject)

    def cancel_event(self, *, as_email: str, event_id: str) -> None:
        subject = as_email.strip().lower()
        self._check_id(event_id)
        # Already gone (404, or 410 for an event deleted before) is what was asked for; after a
        # lost answer the retried delete sees exactly that.
        self._call(
            "calendar.events.delete",
            "DELETE",
            f"/calendars/{self._calendar(subject)}/events/{event_id}",
            subject,
            params={"sendUpdates": "all"},
            accept=(404, 410),
        )

    # -- tokens --

    def _context(self, subject: str, operation: str) -> Context:
        return Context(
            client_email=str(self._key.get("client_email", "")),
            client_id=str(self._key.get("client_id", "")),
            project_id=str(self._key.get("project_id", "")),
            private_key_id=str(self._key.get("private_key_id", "")),
            subject_email=subject,
            operation=operation,
        )

    def _token(self, subject: str, observe: CallObserver) -> str:
        return self._tokens.get(
            (self._credential_key, subject), lambda: self._exchange(subject, observe)
        )

    def _exchange(self, subject: str, observe: CallObserver) -> tuple[str, float]:
        operation = "oauth2.token"
        ctx = self._context(subject, operation)
        # The key's own token_uri is not trusted: settings decide where the signed assertion goes.
        info = {**self._key, "token_uri": self._config.token_uri}
        request = _TimedTokenRequest(shared_session(), self._timeouts)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                credentials = service_account.Credentials.from_service_account_info(
                    info, scopes=[CALENDAR_SCOPE], subject=subject
                )
                credentials.refresh(request)
            except google.auth.exceptions.TransportError:
                # google-auth retries Google's 5xx/429 answers itself; a connection that failed
                # it does not, so that is retried here.
                if not self._config.retry.gives_up_after(attempt):
                    self._sleep(self._config.retry.delay(attempt, self._jitter))
                    continue
                diagnosis = diagnose_unreachable(ctx, host(self._config.token_uri))
                self._fail(observe, operation, subject, started, attempt, 0, diagnosis)
            except google.auth.exceptions.RefreshError as exc:
                status = 503 if getattr(exc, "retryable", False) else 400
                diagnosis = diagnose_token_error(status, _refresh_error_body(exc), ctx)
                self._fail(observe, operation, subject, started, attempt, 0, diagnosis)
            except (ValueError, TypeError, KeyError):
                # The stored key no longer parses: intake checks it, so this means corruption.
                diagnosis = Diagnosis(
                    "key_invalid",
                    "The stored service-account key cannot be used to sign in to Google.",
                    "Paste the JSON key file again (Step 3), or make a new key (Step 1).",
                    heals=False,
                )
                self._fail(observe, operation, subject, started, attempt, 0, diagnosis)
            expiry = credentials.expiry  # naive UTC, as google-auth keeps it
            lifetime = (
                (expiry - datetime.now(UTC).replace(tzinfo=None)).total_seconds()
                if expiry
                else 3600.0
            )
            self._record(observe, operation, subject, "ok", started, attempt, 200, "")
            return credentials.token, lifetime

    # -- calendar calls --

    @property
    def _timeouts(self) -> tuple[float, float]:
        return (self._config.connect_timeout, self._config.read_timeout)

    @staticmethod
    def _calendar(email: str) -> str:
        return quote(email, safe="@")

    @staticmethod
    def _check_id(event_id: str) -> None:
        try:
            wire.check_event_id(event_id)
        except ValueError as exc:
            raise ProviderError("invalid_request", f"Bad event id: {exc}.") from exc

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        subject: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        accept: tuple[int, ...] = (),
        detail: str = "",
        observe: CallObserver | None = None,
    ) -> tuple[int, Any]:
        """One Calendar API operation, retried as Google allows; (status, JSON) or ProviderError.

        Statuses in `accept` are answers the caller handles itself, not failures.
        """
        observe = observe or self._observe
        url = f"{self._config.api_base}/calendar/v3{path}"
        ctx = self._context(subject, operation)
        started = time.monotonic()
        attempt = 0
        renewed_token = False
        person = (self._credential_key, subject)
        retry = self._config.retry
        while True:
            attempt += 1
            paused = self._backoff.remaining(person)
            if paused > 0:
                # Google told another call for this person to slow down: wait the pause out
                # with them when the policy would wait that long anyway, else say when to come
                # back, without spending another call against the limit.
                if paused > retry.max_delay:
                    diagnosis = diagnose_api_error(429, "", ctx)
                    self._fail(
                        observe, operation, subject, started, attempt - 1, 0, diagnosis,
                        "not sent: backing off", retry_after=paused,
                    )  # fmt: skip
                self._sleep(paused)
            token = self._token(subject, observe)
            try:
                response = shared_session().request(
                    method,
                    url,
                    params=params,
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=self._timeouts,
                )
            except requests.RequestException:
                if not self._config.retry.gives_up_after(attempt):
                    self._sleep(self._config.retry.delay(attempt, self._jitter))
                    continue
                diagnosis = diagnose_unreachable(ctx, host(url))
                self._fail(observe, operation, subject, started, attempt, 0, diagnosis, detail)

            status = response.status_code
            data = json_or_text(response) if response.content else None
            if status < 300 or status in accept:
                self._backoff.succeeded(person)
                outcome = "ok" if status < 300 else ACCEPTED_OUTCOMES.get(status, f"http_{status}")
                self._record(observe, operation, subject, outcome, started, attempt, status, detail)
                if status < 300 and method != "DELETE" and not isinstance(data, Mapping):
                    diagnosis = diagnose_malformed_answer(ctx, operation)
                    raise diagnosis.error(status)
                return status, data
            if status == 401 and not renewed_token:
                # A token Google no longer accepts (revoked, or clocks disagree): get a new one once.
                self._tokens.forget((self._credential_key, subject), token)
                renewed_token = True
                continue
            reason = api_error_reason(data)
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if is_rate_limit(status, reason):
                # The pause is the person's, not this call's: the next attempt (this call's or
                # any other's for the same person) waits for it at the top of the loop.
                pause = self._backoff.limited(person, retry_after, first=retry.base_delay)
                if not retry.gives_up_after(attempt) and pause <= retry.max_delay:
                    continue
                diagnosis = diagnose_api_error(status, data, ctx)
                self._fail(
                    observe, operation, subject, started, attempt, status, diagnosis, detail,
                    retry_after=pause,
                )  # fmt: skip
            if is_retryable(status, reason) and not retry.gives_up_after(attempt):
                self._sleep(retry.delay(attempt, self._jitter, retry_after))
                continue
            diagnosis = diagnose_api_error(status, data, ctx)
            self._fail(observe, operation, subject, started, attempt, status, diagnosis, detail)

    def _event(self, data: Any, operation: str, subject: str) -> EventView:
        try:
            return wire.event_view(data)
        except ValueError as exc:
            raise diagnose_malformed_answer(self._context(subject, operation), operation).error(
                200
            ) from exc

    # -- the audit trail --

    def _record(
        self,
        observe: CallObserver,
        operation: str,
        subject: str,
        outcome: str,
        started: float,
        attempts: int,
        status: int,
        detail: str,
    ) -> None:
        report_call(
            observe,
            operation=operation,
            subject=subject,
            outcome=outcome,
            started=started,
            attempts=attempts,
            status=status,
            detail=detail,
        )

    def _fail(
        self,
        observe: CallObserver,
        operation: str,
        subject: str,
        started: float,
        attempts: int,
        status: int,
        diagnosis: Diagnosis,
        detail: str = "",
        retry_after: float | None = None,
    ):
        self._record(observe, operation, subject, diagnosis.code, started, attempts, status, detail)
        error = diagnosis.error(status)
        error.retry_after = retry_after
        # Without the chained cause: Google's raw answer stays out of tracebacks and logs.
        raise error from None
