"""The Google Workspace calendar provider: google-auth for tokens, Calendar API v3 over HTTP.

No Django here: the caller hands over the decrypted key, where Google is (`GoogleConfig`) and
an observer that receives one `CallRecord` per call made to Google, which is how every use of
a tenant's credentials reaches the audit log from this one place.

Thread-safe: API calls share the process's urllib3 pool (`integrations/transport.py`), token
requests one pooled `requests.Session` (nothing here changes either's state per call), and
tokens come from the process-wide `TokenCache`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import google.auth.exceptions
import google.auth.transport.requests
import requests
from google.oauth2 import service_account

from meetbridge.integrations.backoff import RetryPolicy
from meetbridge.integrations.http import (
    Call,
    HttpProvider,
    api_transport,
    host,
    pooled_session,
)
from meetbridge.integrations.provider import (
    CallObserver,
    EventDraft,
    EventView,
    FreeBusy,
    ProviderError,
)
from meetbridge.integrations.providers.google import diagnosis, retry, wire
from meetbridge.integrations.providers.google.scope import CALENDAR_SCOPE
from meetbridge.integrations.transport import Answer


@dataclass(frozen=True)
class GoogleConfig:
    token_uri: str
    api_base: str  # e.g. https://www.googleapis.com; the Calendar API is below /calendar/v3
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


def shared_session() -> requests.Session:
    """The process's requests session for Google's token endpoint (the environment's CA
    bundle)."""
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


class GoogleWorkspaceProvider(HttpProvider):
    """One tenant's Google Workspace, through one service-account key."""

    name = "google"
    CREATE_OPERATION = "calendar.events.insert"
    NO_VIDEO_LINK_NOTE = "no Meet link: Google made a meeting without one"
    FREE_BUSY_SPAN = wire.MAX_FREEBUSY_SPAN
    FREE_BUSY_PEOPLE = wire.MAX_FREEBUSY_CALENDARS
    free_busy_pool = _pool

    def __init__(
        self, *, key: Mapping[str, str], credential_key: str, config: GoogleConfig, **shared: Any
    ) -> None:
        """`shared`: the observer, token cache, sleep, jitter and backoff (see HttpProvider)."""
        super().__init__(credential_key=credential_key, config=config, **shared)
        self._key = dict(key)

    # -- the interface --

    def verify(self, *, as_email: str) -> None:
        """A fresh token for `as_email` and one freeBusy of their own calendar.

        The cached token is dropped first: Google keeps honouring a token after delegation is
        revoked, and a check must see the setup as it is now.
        """
        subject = as_email.strip().lower()
        unreadable = self._read_own_calendar(subject)
        if unreadable is not None:
            raise ProviderError(
                "calendar_unreadable",
                f"Google signed meetbridge in as {subject} but could not read their calendar "
                f"({unreadable}).",
                fix=f"Make sure {subject} has Google Calendar turned on in your Workspace "
                "(Admin console > Apps > Google Workspace > Calendar), then click Check again.",
                retryable=True,
            )

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
            raise diagnosis.diagnose_malformed_answer(ctx, "freeBusy").error(200) from exc

    def _left_out(self, organizer: str, event_id: str) -> str:
        return event_id  # an attendee's copy has the organizer's id

    def _busy_events(
        self, person: str, start: datetime, end: datetime, leave_out: str, observe: CallObserver
    ) -> list:
        """`person`'s events read as that person (events.list), ours left out by its id."""
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
                raise diagnosis.diagnose_malformed_answer(ctx, "events").error(200) from exc
            found.extend(busy)
            if page is None:
                return found

    def _event_body(self, draft: EventDraft) -> Any:
        return wire.event_body(draft)

    def _insert(self, organizer: str, draft: EventDraft, body: Any) -> EventView:
        params = {"sendUpdates": "all"}
        if draft.video:
            params["conferenceDataVersion"] = "1"
        status, data = self._call(
            self.CREATE_OPERATION,
            "POST",
            f"/calendars/{self._calendar(organizer)}/events",
            organizer,
            params=params,
            body=body,
            accept=(409,),
            detail=f"{len(body['attendees'])} attendees",
        )
        if status != 409:
            return self._event(data, self.CREATE_OPERATION, organizer)
        # The id is taken: our own earlier insert whose answer was lost, or someone else's
        # (then the marker differs, and `create_event` says conflict).
        return self.get_event(as_email=organizer, event_id=draft.event_id)

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

    def _move(self, subject, event_id, start, end, time_zone, attendee_emails) -> EventView:
        self._check_id(event_id)
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

    def _context(self, subject: str, operation: str) -> diagnosis.Context:
        return diagnosis.Context(
            client_email=str(self._key.get("client_email", "")),
            client_id=str(self._key.get("client_id", "")),
            project_id=str(self._key.get("project_id", "")),
            private_key_id=str(self._key.get("private_key_id", "")),
            subject_email=subject,
            operation=operation,
        )

    def _token_key(self, subject: str) -> tuple[str, str]:
        return (self._credential_key, subject)  # a token per impersonated person

    def _fetch_token(self, subject: str, observe: CallObserver) -> tuple[str, float]:
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
                trouble = diagnosis.diagnose_unreachable(ctx, host(self._config.token_uri))
                self._fail(observe, operation, subject, started, attempt, 0, trouble)
            except google.auth.exceptions.RefreshError as exc:
                status = 503 if getattr(exc, "retryable", False) else 400
                trouble = diagnosis.diagnose_token_error(status, _refresh_error_body(exc), ctx)
                self._fail(observe, operation, subject, started, attempt, 0, trouble)
            except (ValueError, TypeError, KeyError):
                # The stored key no longer parses: intake checks it, so this means corruption.
                trouble = diagnosis.Diagnosis(
                    "key_invalid",
                    "The stored service-account key cannot be used to sign in to Google.",
                    "Paste the JSON key file again (Step 3), or make a new key (Step 1).",
                    heals=False,
                )
                self._fail(observe, operation, subject, started, attempt, 0, trouble)
            expiry = credentials.expiry  # naive UTC, as google-auth keeps it
            lifetime = (
                (expiry - datetime.now(UTC).replace(tzinfo=None)).total_seconds()
                if expiry
                else 3600.0
            )
            self._record(observe, operation, subject, "ok", started, attempt, 200, "")
            return credentials.token, lifetime

    # -- calendar calls: what the shared loop (HttpProvider._call) needs of Google --

    def _url(self, path: str) -> str:
        return f"{self._config.api_base}/calendar/v3{path}"

    def _send(self, call: Call, token: str) -> Answer:
        return api_transport().send(
            call.method,
            call.url,
            params=call.params,
            body=call.body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=self._timeouts,
        )

    def _classify(self, status: int, data: Any) -> str:
        return retry.classify(status, data)

    def _refused(self, call: Call, status: int, data: Any) -> ProviderError:
        return diagnosis.diagnose_api_error(status, data, self._context_of(call)).error(status)

    def _unreachable(self, call: Call) -> ProviderError:
        return diagnosis.diagnose_unreachable(self._context_of(call), host(call.url)).error(0)

    def _malformed(self, call: Call, status: int) -> ProviderError:
        return diagnosis.diagnose_malformed_answer(self._context_of(call), call.operation).error(
            status
        )

    def _context_of(self, call: Call) -> diagnosis.Context:
        return self._context(call.subject, call.operation)

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

    def _event(self, data: Any, operation: str, subject: str) -> EventView:
        try:
            return wire.event_view(data)
        except ValueError as exc:
            raise diagnosis.diagnose_malformed_answer(
                self._context(subject, operation), operation
            ).error(200) from exc
