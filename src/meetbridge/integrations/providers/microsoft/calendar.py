"""The Microsoft 365 calendar provider: msal for app-only tokens, Microsoft Graph over HTTP.

No Django here: the caller hands over the decrypted credential (tenant and client IDs, and a
client secret or a certificate with its private key), where Microsoft is (`MicrosoftConfig`)
and an observer that receives one `CallRecord` per call made to Microsoft (the audit trail).

Graph chooses event ids itself, so meetbridge's event id (the booking's) travels with the event
twice: as its `transactionId` (Exchange makes one event of repeated creates) and as a
single-value extended property, by which the event is found again after a lost answer. The
provider speaks meetbridge's ids outward and keeps Graph's inside.

Thread-safe: one pooled session per CA bundle, tokens in the process-wide `TokenCache`, and at
most four calls at a time per app and mailbox (Outlook's own limit) from this process.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import msal
import msal.exceptions
import requests

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
from meetbridge.integrations.providers.google.retry import RetryPolicy
from meetbridge.integrations.providers.microsoft import wire
from meetbridge.integrations.providers.microsoft.diagnosis import (
    Context,
    Diagnosis,
    clean_text,
    diagnose_credential_unusable,
    diagnose_graph_error,
    diagnose_malformed_answer,
    diagnose_token_error,
    diagnose_unreachable,
    microsoft_trouble,
    tenant_unknown,
)
from meetbridge.integrations.tokens import TOKENS, TokenCache

USER_AGENT = "meetbridge/0.1"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
OUTLOOK_CONCURRENCY = 4  # per app and mailbox, as Outlook counts them
ACCEPTED_OUTCOMES = {404: "not_found", 409: "conflict"}
NO_TEAMS_NOTE = "no Teams link: Microsoft made a plain meeting"
# A well-formed id no event has: a PATCH of it shows whether the app may write, changing nothing.
WRITE_PROBE_ID = "AAMkAG1lZXRicmlkZ2Utd3JpdGUtcHJvYmUAAAAAAAA="


@dataclass(frozen=True)
class MicrosoftConfig:
    login_base: str = "https://login.microsoftonline.com"
    graph_base: str = "https://graph.microsoft.com"  # the API is below /v1.0
    ca_bundle: str | None = None  # PEM file of the authorities trusted for Microsoft
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


# --- msal's HTTP session ----------------------------------------------------------------------------


class _TimedSession(requests.Session):
    """A session with a default timeout (msal passes none to the client it is given)."""

    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        self._timeout = timeout

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, **kwargs)


def _msal_session(config: MicrosoftConfig) -> requests.Session:
    """msal's own client for one token request (Graph calls share the transport's pool)."""
    session = _TimedSession((config.connect_timeout, config.read_timeout))
    adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=2, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    session.headers["User-Agent"] = USER_AGENT
    if config.ca_bundle:
        # requests lets REQUESTS_CA_BUNDLE override a session's own `verify` unless the
        # environment is ignored: MICROSOFT_CA_BUNDLE must really apply.
        session.verify = config.ca_bundle
        session.trust_env = False
    return session


_gates: dict[tuple[str, str], threading.BoundedSemaphore] = {}
_gates_lock = threading.Lock()


def _gate(client_id: str, mailbox: str) -> threading.BoundedSemaphore:
    with _gates_lock:
        return _gates.setdefault(
            (client_id, mailbox), threading.BoundedSemaphore(OUTLOOK_CONCURRENCY)
        )


_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="microsoft-schedule")
# Graph's id (and our markers) of events this process made or found, by meetbridge's id.
_known: dict[tuple[str, str, str], tuple[str, dict[str, str]]] = {}
_KNOWN_MAX = 10_000


class _Retry(Exception):
    """A failure worth another attempt; `diagnosis` is what to report when attempts run out."""

    def __init__(self, diagnosis: Diagnosis, status: int = 0, wait: float | None = None):
        super().__init__(diagnosis.code)
        self.diagnosis, self.status, self.wait = diagnosis, status, wait


# --- the provider -----------------------------------------------------------------------------


class MicrosoftGraphProvider:
    """One tenant's Microsoft 365, through one app registration and its credential."""

    name = "microsoft"

    def __init__(
        self,
        *,
        credential: Mapping[str, str],
        credential_key: str,
        config: MicrosoftConfig,
        observe: CallObserver | None = None,
        tokens: TokenCache = TOKENS,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._credential = dict(credential)
        self._credential_key = credential_key
        self._config = config
        self._observe = observe or (lambda record: None)
        self._tokens = tokens
        self._sleep = sleep
        self._jitter = jitter
        self._tenant = str(self._credential.get("tenant_id", "")).strip()
        self._client_id = str(self._credential.get("client_id", "")).strip().lower()

    # -- the interface --

    def verify(self, *, as_email: str) -> None:
        """A fresh token, a getSchedule of `as_email`'s own mailbox, and a probe that writing
        is allowed (a PATCH of an id no event has: 404 means allowed, nothing changes)."""
        mailbox = as_email.strip().lower()
        self._tokens.forget((self._credential_key, ""))
        now = datetime.now(UTC).replace(microsecond=0)
        result = self.free_busy(
            as_email=mailbox, emails=[mailbox], start=now, end=now + timedelta(hours=1)
        )
        if mailbox in result.unknown:
            raise ProviderError(
                "calendar_unreadable",
                f"Microsoft signed meetbridge in but could not read the calendar of {mailbox} "
                f"({result.unknown[mailbox]}).",
                fix=f"Make sure {mailbox} has an Exchange Online mailbox in this directory, then "
                "click Check again.",
                retryable=True,
            )
        self._call(
            "graph.events.update",
            "PATCH",
            f"{wire.user_path(mailbox)}/events/{WRITE_PROBE_ID}",
            mailbox,
            body={},
            accept=(400, 404),
            detail="write permission probe",
            expected=True,  # the 404 is the good answer here
        )

    def free_busy(
        self, *, as_email: str, emails: list[str], start: datetime, end: datetime
    ) -> FreeBusy:
        if end <= start:
            raise ProviderError(
                "invalid_request", "The time range is empty: its end must come after its start."
            )
        mailbox = as_email.strip().lower()
        people = wire.normalise_emails(emails)
        if not people:
            return FreeBusy(busy={})
        pieces = [
            (batch, span) for span in wire.split_range(start, end) for batch in wire.batches(people)
        ]
        if len(pieces) == 1:
            batch, span = pieces[0]
            return self._schedule(mailbox, batch, span.start, span.end, self._observe)
        self._token(self._observe)  # one token request before fanning out
        collected: list[CallRecord] = []
        futures = [
            _pool.submit(self._schedule, mailbox, batch, span.start, span.end, collected.append)
            for batch, span in pieces
        ]
        try:
            results = [future.result() for future in futures]
        finally:
            for future in futures:
                future.exception()
            self._observe_collected(collected)
        return _merge(results)

    def _observe_collected(self, collected: list[CallRecord]) -> None:
        """Records of calls made on the pool's threads, reported on the caller's thread."""
        observe_all = getattr(self._observe, "observe_all", None)
        if observe_all is not None:
            observe_all(collected)
        else:
            for record in collected:
                self._observe(record)

    def _schedule(self, mailbox, emails, start, end, observe) -> FreeBusy:
        _, data = self._call(
            "graph.calendar.getSchedule",
            "POST",
            f"{wire.user_path(mailbox)}/calendar/getSchedule",
            mailbox,
            body=wire.schedule_request(emails, start, end),
            detail=f"{len(emails)} schedules",
            observe=observe,
        )
        try:
            return wire.read_schedule(data, emails)
        except ValueError as exc:
            raise diagnose_malformed_answer("getSchedule").error(200) from exc

    def busy_besides(
        self, *, as_email: str, emails: list[str], start: datetime, end: datetime, event_id: str
    ) -> FreeBusy:
        """Each person's calendarView, our event (found by its iCalUId) left out."""
        if end <= start:
            raise ProviderError(
                "invalid_request", "The time range is empty: its end must come after its start."
            )
        ours = self._find(as_email.strip().lower(), event_id)
        leave_out = ours.get("iCalUId") if isinstance(ours, Mapping) else None
        busy: dict[str, list] = {}
        unknown: dict[str, str] = {}
        collected: list[CallRecord] = []
        futures = {
            person: _pool.submit(
                self._calendar_view, person, start, end, leave_out, collected.append
            )
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

    def _calendar_view(self, person, start, end, leave_out, observe) -> list:
        _, data = self._call(
            "graph.calendarView",
            "GET",
            f"{wire.user_path(person)}/calendarView",
            person,
            params=wire.calendar_view_request(start, end),
            detail="busy time without the meeting being moved",
            observe=observe,
        )
        try:
            return wire.read_calendar_view(data, leave_out)
        except ValueError as exc:
            raise diagnose_malformed_answer("calendarView").error(200) from exc

    def create_event(self, *, draft: EventDraft) -> EventView:
        try:
            body = wire.event_body(draft)
        except ValueError as exc:
            raise ProviderError("invalid_request", f"The event cannot be created: {exc}.") from exc
        organizer = draft.organizer_email.strip().lower()
        _, data = self._call(
            "graph.events.create",
            "POST",
            f"{wire.user_path(organizer)}/events",
            organizer,
            body=body,
            detail=f"{len(body['attendees'])} attendees",
            reconcile=lambda: self._find(organizer, draft.event_id),
        )
        view = self._view(data, draft.event_id, organizer, marker=dict(draft.marker))
        if not wire.marker_matches(view.marker, draft.marker):
            raise ProviderError(
                "conflict",
                f"An event with transaction id {draft.event_id} already exists in {organizer}'s "
                "mailbox and was not created by this booking.",
                status=409,
            )
        if draft.video and not view.video_link:
            # Graph answers 201 with a plain meeting when the mailbox cannot hold Teams meetings.
            self._record(
                self._observe, "graph.events.create", organizer, "no_teams_link", time.monotonic(),
                1, 201, NO_TEAMS_NOTE,
            )  # fmt: skip
        return view

    def get_event(self, *, as_email: str, event_id: str) -> EventView:
        mailbox = as_email.strip().lower()
        graph_id, _ = self._resolve(mailbox, event_id)
        status, data = self._call(
            "graph.events.get",
            "GET",
            f"{wire.user_path(mailbox)}/events/{graph_id}",
            mailbox,
            params={"$expand": wire.expand()},
            accept=(404,),
        )
        if status == 404:
            self._forget(mailbox, event_id)
            raise _not_found(event_id, mailbox)
        return self._view(data, event_id, mailbox)

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
        # `attendee_emails` is not sent: Exchange itself asks attendees to answer again when
        # the organizer changes a meeting's time.
        mailbox = as_email.strip().lower()
        if end <= start:
            raise ProviderError("invalid_request", "A meeting must end after it starts.")
        graph_id, marker = self._resolve(mailbox, event_id)
        status, data = self._call(
            "graph.events.update",
            "PATCH",
            f"{wire.user_path(mailbox)}/events/{graph_id}",
            mailbox,
            body=wire.move_body(start, end, time_zone),
            accept=(404,),
        )
        if status == 404:
            self._forget(mailbox, event_id)
            raise _not_found(event_id, mailbox)
        return self._view(data, event_id, mailbox, marker=marker)

    def cancel_event(self, *, as_email: str, event_id: str) -> None:
        mailbox = as_email.strip().lower()
        try:
            graph_id, _ = self._resolve(mailbox, event_id)
        except ProviderError as error:
            if error.code == "not_found":
                return  # already gone is what was asked for
            raise
        # `cancel` (not DELETE) so attendees get a cancellation; 404 after a lost answer is fine.
        self._call(
            "graph.events.cancel",
            "POST",
            f"{wire.user_path(mailbox)}/events/{graph_id}/cancel",
            mailbox,
            body={"comment": "This meeting was cancelled in meetbridge."},
            accept=(404,),
        )
        self._forget(mailbox, event_id)

    # -- finding our events --

    def _known_key(self, mailbox: str, event_id: str) -> tuple[str, str, str]:
        return (self._credential_key, mailbox, event_id)

    def _forget(self, mailbox: str, event_id: str) -> None:
        _known.pop(self._known_key(mailbox, event_id), None)

    def _remember(self, mailbox: str, event_id: str, graph_id: str, marker: dict) -> None:
        if len(_known) >= _KNOWN_MAX:
            _known.clear()
        _known[self._known_key(mailbox, event_id)] = (graph_id, marker)

    def _find(self, mailbox: str, event_id: str) -> Any | None:
        """The event meetbridge made for `event_id` in `mailbox`, as Graph has it, or None."""
        _, data = self._call(
            "graph.events.list",
            "GET",
            f"{wire.user_path(mailbox)}/events",
            mailbox,
            params={
                "$filter": wire.find_filter(event_id),
                "$expand": wire.expand(),
                "$top": "2",
            },
            detail="find by meetbridge id",
        )
        value = data.get("value") if isinstance(data, Mapping) else None
        if not isinstance(value, list):
            raise diagnose_malformed_answer("the event search").error(200)
        return value[0] if value else None

    def _resolve(self, mailbox: str, event_id: str) -> tuple[str, dict[str, str]]:
        known = _known.get(self._known_key(mailbox, event_id))
        if known is not None:
            return known
        found = self._find(mailbox, event_id)
        if found is None:
            raise _not_found(event_id, mailbox)
        view = self._view(found, event_id, mailbox)
        return wire.graph_id(found), dict(view.marker)

    def _view(
        self, data: Any, event_id: str, mailbox: str, marker: dict | None = None
    ) -> EventView:
        try:
            view = wire.event_view(data, event_id, marker)
            graph_id = wire.graph_id(data)
        except ValueError as exc:
            raise diagnose_malformed_answer("an event").error(200) from exc
        self._remember(mailbox, event_id, graph_id, dict(view.marker))
        return view

    # -- tokens --

    def _context(self, mailbox: str = "", operation: str = "") -> Context:
        credential = "certificate" if self._credential.get("private_key") else "secret"
        return Context(
            tenant_id=self._tenant,
            client_id=self._client_id,
            credential=credential,
            mailbox=mailbox,
            operation=operation,
        )

    def _token(self, observe: CallObserver) -> str:
        return self._tokens.get((self._credential_key, ""), lambda: self._exchange(observe))

    def _client_credential(self) -> Any:
        if self._credential.get("private_key"):
            return {
                "private_key": self._credential["private_key"],
                "public_certificate": self._credential.get("certificate", ""),
            }
        return self._credential.get("client_secret", "")

    def _exchange(self, observe: CallObserver) -> tuple[str, float]:
        """A token from Entra ID through msal; a fresh msal app each time, so nothing of an
        earlier refusal (msal keeps those for a minute) hides the setup as it is now."""
        operation = "entra.token"
        ctx = self._context(operation=operation)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                result = self._acquire()
            except _Retry as retry:
                if not self._config.retry.gives_up_after(attempt):
                    self._sleep(self._config.retry.delay(attempt, self._jitter, retry.wait))
                    continue
                self._fail(observe, operation, "", started, attempt, retry.status, retry.diagnosis)
            except (ValueError, TypeError, KeyError) as exc:
                diagnosis = (
                    tenant_unknown(ctx, "Microsoft has no sign-in configuration for it")
                    if "authority" in str(exc).lower()
                    else diagnose_credential_unusable(ctx)
                )
                self._fail(observe, operation, "", started, attempt, 0, diagnosis)
            if "access_token" in result:
                self._record(observe, operation, "", "ok", started, attempt, 200, "")
                return result["access_token"], float(result.get("expires_in", 3599))
            diagnosis = diagnose_token_error(result, ctx)
            if diagnosis.heals and not self._config.retry.gives_up_after(attempt):
                self._sleep(self._config.retry.delay(attempt, self._jitter))
                continue
            self._fail(observe, operation, "", started, attempt, 400, diagnosis)

    def _acquire(self) -> dict:
        session = _msal_session(self._config)
        try:
            app = msal.ConfidentialClientApplication(
                self._client_id,
                authority=f"{self._config.login_base.rstrip('/')}/{self._tenant}",
                client_credential=self._client_credential(),
                instance_discovery=False,
                http_client=session,
                token_cache=msal.TokenCache(),
            )
            return app.acquire_token_for_client([GRAPH_SCOPE])
        except requests.RequestException as exc:
            status = getattr(getattr(exc, "response", None), "status_code", 0) or 0
            raise _Retry(
                diagnose_unreachable(host(self._config.login_base)), status=status
            ) from None
        except msal.exceptions.MsalServiceError as exc:
            # msal's own wrapper of a 5xx while it reads the tenant's metadata.
            said = f"Microsoft answered {clean_text(str(exc), 60)} to the sign-in metadata request"
            raise _Retry(microsoft_trouble(said)) from None
        finally:
            session.close()

    # -- Graph calls --

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        mailbox: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        accept: tuple[int, ...] = (),
        detail: str = "",
        observe: CallObserver | None = None,
        reconcile: Callable[[], Any] | None = None,
        expected: bool = False,
    ) -> tuple[int, Any]:
        """One Graph operation, retried as Microsoft allows; (status, JSON) or ProviderError.

        `reconcile`, for creates, is asked before each retry that follows an answer that never
        came: if the first attempt made the event, its answer is that event.
        """
        observe = observe or self._observe
        url = f"{self._config.graph_base.rstrip('/')}/v1.0{path}"
        ctx = self._context(mailbox, operation)
        started = time.monotonic()
        attempt = 0
        renewed_token = False
        uncertain = False
        while True:
            attempt += 1
            token = self._token(observe)
            if uncertain and reconcile is not None:
                found = reconcile()
                if found is not None:
                    self._record(observe, operation, mailbox, "ok", started, attempt, 200, "found after a lost answer")  # fmt: skip
                    return 200, found
            try:
                with _gate(self._client_id, mailbox):
                    response = pooled_session(self._config.ca_bundle).request(
                        method,
                        url,
                        params=params,
                        json=body,
                        headers={"Authorization": f"Bearer {token}", "Prefer": wire.PREFER_UTC},
                        timeout=(self._config.connect_timeout, self._config.read_timeout),
                    )
            except requests.RequestException:
                uncertain = True
                if not self._config.retry.gives_up_after(attempt):
                    self._sleep(self._config.retry.delay(attempt, self._jitter))
                    continue
                diagnosis = diagnose_unreachable(host(url))
                self._fail(observe, operation, mailbox, started, attempt, 0, diagnosis, detail)
            status = response.status_code
            data = json_or_text(response) if response.content else None
            if status < 300 or status in accept:
                outcome = (
                    "ok"
                    if status < 300 or expected
                    else ACCEPTED_OUTCOMES.get(status, f"http_{status}")
                )
                self._record(observe, operation, mailbox, outcome, started, attempt, status, detail)
                expects_body = status < 300 and status != 202 and method != "DELETE"
                if expects_body and not isinstance(data, Mapping):
                    raise diagnose_malformed_answer(operation).error(status)
                return status, data
            if status == 401 and not renewed_token:
                self._tokens.forget((self._credential_key, ""), token)
                renewed_token = True
                continue
            if (status >= 500 or status == 429) and not self._config.retry.gives_up_after(attempt):
                uncertain = uncertain or status >= 500  # a 429 was refused before any change
                wait = parse_retry_after(response.headers.get("Retry-After"))
                self._sleep(self._config.retry.delay(attempt, self._jitter, wait))
                continue
            diagnosis = diagnose_graph_error(status, data, ctx)
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            self._fail(
                observe,
                operation,
                mailbox,
                started,
                attempt,
                status,
                diagnosis,
                detail,
                retry_after,
            )

    # -- the audit trail --

    def _record(self, observe, operation, mailbox, outcome, started, attempts, status, detail):
        report_call(
            observe, operation=operation, subject=mailbox, outcome=outcome, started=started,
            attempts=attempts, status=status, detail=detail,
        )  # fmt: skip

    def _fail(
        self, observe, operation, mailbox, started, attempts, status, diagnosis, detail="",
        retry_after=None,
    ):  # fmt: skip
        self._record(observe, operation, mailbox, diagnosis.code, started, attempts, status, detail)
        error = diagnosis.error(status)
        error.retry_after = retry_after  # Microsoft's Retry-After, for the caller's 429
        # Without the chained cause: Microsoft's raw answer stays out of tracebacks and logs.
        raise error from None


def _not_found(event_id: str, mailbox: str) -> ProviderError:
    return ProviderError(
        "not_found",
        f"No event of meetbridge with id {event_id} is in the mailbox of {mailbox}.",
        status=404,
    )


def _merge(parts: list[FreeBusy]) -> FreeBusy:
    busy: dict[str, list] = {}
    unknown: dict[str, str] = {}
    for part in parts:
        for email, intervals in part.busy.items():
            busy.setdefault(email, []).extend(intervals)
        unknown.update(part.unknown)
    merged = {}
    for email, intervals in busy.items():
        if email in unknown:
            continue
        joined = []
        for item in sorted(intervals, key=lambda i: (i.start, i.end)):
            if joined and item.start <= joined[-1].end:
                if item.end > joined[-1].end:
                    joined[-1] = type(item)(joined[-1].start, item.end)
            else:
                joined.append(item)
        merged[email] = joined
    return FreeBusy(busy=merged, unknown=unknown)
