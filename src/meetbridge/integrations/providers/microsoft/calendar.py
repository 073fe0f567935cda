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

import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from typing import Any

import msal
import msal.exceptions
import requests

from meetbridge.integrations.backoff import RetryPolicy
from meetbridge.integrations.http import Call, HttpProvider, api_transport, host
from meetbridge.integrations.provider import (
    CallObserver,
    EventDraft,
    EventView,
    FreeBusy,
    ProviderError,
)
from meetbridge.integrations.providers.microsoft import retry, wire
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
from meetbridge.integrations.transport import USER_AGENT, Answer

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
OUTLOOK_CONCURRENCY = 4  # per app and mailbox, as Outlook counts them
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
    """A session with a default timeout (msal passes none to the client it is given), which
    keeps the status of the last answer (msal reports a throttled metadata request as if the
    tenant did not exist)."""

    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        self._timeout = timeout
        self.last_status = 0

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self._timeout)
        response = super().request(method, url, **kwargs)
        self.last_status = response.status_code
        return response


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


class MicrosoftGraphProvider(HttpProvider):
    """One tenant's Microsoft 365, through one app registration and its credential."""

    name = "microsoft"
    CREATE_OPERATION = "graph.events.create"
    NO_VIDEO_LINK_NOTE = "no Teams link: Microsoft made a plain meeting"
    FREE_BUSY_SPAN = wire.MAX_SCHEDULE_SPAN
    FREE_BUSY_PEOPLE = wire.MAX_SCHEDULES
    free_busy_pool = _pool

    def __init__(
        self,
        *,
        credential: Mapping[str, str],
        credential_key: str,
        config: MicrosoftConfig,
        **shared: Any,
    ) -> None:
        """`shared`: the observer, token cache, sleep, jitter and backoff (see HttpProvider)."""
        super().__init__(credential_key=credential_key, config=config, **shared)
        self._credential = dict(credential)
        self._tenant = str(self._credential.get("tenant_id", "")).strip()
        self._client_id = str(self._credential.get("client_id", "")).strip().lower()

    # -- the interface --

    def verify(self, *, as_email: str) -> None:
        """A fresh token, a getSchedule of `as_email`'s own mailbox, and a probe that writing
        is allowed (a PATCH of an id no event has: 404 means allowed, nothing changes)."""
        mailbox = as_email.strip().lower()
        unreadable = self._read_own_calendar(mailbox)
        if unreadable is not None:
            raise ProviderError(
                "calendar_unreadable",
                f"Microsoft signed meetbridge in but could not read the calendar of {mailbox} "
                f"({unreadable}).",
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
            accept={400: "ok", 404: "ok"},  # the 404 is the good answer here
            detail="write permission probe",
        )

    def _free_busy_piece(self, mailbox, emails, start, end, observe) -> FreeBusy:
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

    def _left_out(self, organizer: str, event_id: str) -> str | None:
        """Our event's iCalUId: every attendee's copy carries the organizer's."""
        ours = self._find(organizer, event_id)
        return ours.get("iCalUId") if isinstance(ours, Mapping) else None

    def _busy_events(self, person, start, end, leave_out, observe) -> list:
        """`person`'s calendarView, our event (by its iCalUId) left out."""
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

    def _event_body(self, draft: EventDraft) -> Any:
        return wire.event_body(draft)

    def _insert(self, organizer: str, draft: EventDraft, body: Any) -> EventView:
        # A repeated transactionId makes no second event; after a lost answer the event is
        # found by its marker property before any retry.
        _, data = self._call(
            self.CREATE_OPERATION,
            "POST",
            f"{wire.user_path(organizer)}/events",
            organizer,
            body=body,
            detail=f"{len(body['attendees'])} attendees",
            reconcile=lambda: self._find(organizer, draft.event_id),
        )
        # Graph answers 201 with a plain meeting when the mailbox cannot hold Teams meetings:
        # the view has no video link then, and `create_event` notes it.
        return self._view(data, draft.event_id, organizer, marker=dict(draft.marker))

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

    def _move(self, mailbox, event_id, start, end, time_zone, attendee_emails) -> EventView:
        # `attendee_emails` is not sent: Exchange itself asks attendees to answer again when
        # the organizer changes a meeting's time.
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

    def _token_key(self, subject: str) -> tuple[str, str]:
        return (self._credential_key, "")  # app-only: one token serves every mailbox

    def _client_credential(self) -> Any:
        if self._credential.get("private_key"):
            return {
                "private_key": self._credential["private_key"],
                "public_certificate": self._credential.get("certificate", ""),
            }
        return self._credential.get("client_secret", "")

    def _fetch_token(self, subject: str, observe: CallObserver) -> tuple[str, float]:
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
            except _Retry as trouble:
                if not self._config.retry.gives_up_after(attempt):
                    self._sleep(self._config.retry.delay(attempt, self._jitter, trouble.wait))
                    continue
                self._fail(
                    observe, operation, "", started, attempt, trouble.status, trouble.diagnosis
                )
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
        except ValueError:
            if session.last_status != 429:
                raise  # a 404: the tenant does not exist (diagnosed by the caller)
            # msal says "unable to get authority configuration" for a throttled metadata
            # request too: that is Microsoft asking to slow down, not a wrong tenant.
            said = "Microsoft answered 429 to the sign-in metadata request"
            raise _Retry(microsoft_trouble(said), status=429) from None
        finally:
            session.close()

    # -- Graph calls: what the shared loop (HttpProvider._call) needs of Microsoft --

    def _url(self, path: str) -> str:
        return f"{self._config.graph_base.rstrip('/')}/v1.0{path}"

    def _send(self, call: Call, token: str) -> Answer:
        config = self._config
        with _gate(self._client_id, call.subject):
            return api_transport(config.ca_bundle).send(
                call.method,
                call.url,
                params=call.params,
                body=call.body,
                headers={"Authorization": f"Bearer {token}", "Prefer": wire.PREFER_UTC},
                timeout=(config.connect_timeout, config.read_timeout),
            )

    def _classify(self, status: int, data: Any) -> str:
        return retry.classify(status, data)

    def _refused(self, call: Call, status: int, data: Any) -> ProviderError:
        ctx = self._context(call.subject, call.operation)
        return diagnose_graph_error(status, data, ctx).error(status)

    def _unreachable(self, call: Call) -> ProviderError:
        return diagnose_unreachable(host(call.url)).error(0)

    def _malformed(self, call: Call, status: int) -> ProviderError:
        return diagnose_malformed_answer(call.operation).error(status)


def _not_found(event_id: str, mailbox: str) -> ProviderError:
    return ProviderError(
        "not_found",
        f"No event of meetbridge with id {event_id} is in the mailbox of {mailbox}.",
        status=404,
    )
