"""meetbridge's GET /api/v1/availability against the sandbox with 100 ms of injected latency.

- latency: meetbridge's p50/p95 over the p50/p95 of one direct freeBusy round trip to the same
  sandbox (for at most 50 calendars, the most one freeBusy accepts), samples interleaved;
- throughput: 64 client threads, each with its own connection, for a fixed time;
- baseline: google-api-python-client, one freeBusy per person in turn, as done by hand;
- token exchanges: counted from meetbridge's own audit log (operation `oauth2.token`).
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import google.auth.transport.requests
import orjson
import requests
from google.oauth2 import service_account
from googleapiclient.discovery import build

from bench.stack import CALLER, COLLEAGUES, Stack, window

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
LATENCY_MS = 100
CONNECTION_ERRORS = (http.client.HTTPException, OSError)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Direct:
    """One freeBusy straight to the sandbox, with a token google-auth got for the caller."""

    def __init__(self, stack: Stack) -> None:
        credentials = service_account.Credentials.from_service_account_info(
            stack.key, scopes=[CALENDAR_SCOPE], subject=CALLER
        )
        credentials.refresh(google.auth.transport.requests.Request())
        self.token = credentials.token
        self.url = f"{stack.sandbox.url}/calendar/v3/freeBusy"
        self.http = requests.Session()
        self.stack = stack
        self.pool_sessions: list[Direct] = []

    def in_parallel(self, emails: list[str], start: datetime, end: datetime) -> float:
        """Every batch of 50 at once, each on its own connection: the floor for >50 people."""
        batches = [emails[i : i + 50] for i in range(0, len(emails), 50)]
        while len(self.pool_sessions) < len(batches):
            self.pool_sessions.append(Direct(self.stack))
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(batches)) as pool:
            list(
                pool.map(
                    lambda pair: pair[0].free_busy(pair[1], start, end),
                    zip(self.pool_sessions, batches, strict=False),
                )
            )
        return time.perf_counter() - started

    def free_busy(self, emails: list[str], start: datetime, end: datetime) -> float:
        body = {
            "timeMin": rfc3339(start),
            "timeMax": rfc3339(end),
            "items": [{"id": e} for e in emails],
        }
        started = time.perf_counter()
        response = self.http.post(
            self.url, json=body, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        return elapsed


class KeptAlive:
    """One HTTP/1.1 connection kept alive, for the throughput clients.

    The load generator runs on the machine it measures: requests spends about a millisecond of
    CPU per call (merging settings, hooks, cookies, adapters), an eighth of what a whole answer
    costs the cluster. http.client sends the same request for a fraction of that, so the cores
    go to the servers under test. A connection the server closed is opened again once."""

    def __init__(self, base_url: str, timeout: float = 60) -> None:
        parts = urlsplit(base_url)
        self._connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                self._connection.request("GET", path, headers=headers)
                response = self._connection.getresponse()
                return response.status, response.read()
            except CONNECTION_ERRORS:
                self._connection.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._connection.close()


class Meetbridge:
    """GET /api/v1/availability as one member, with `count - 1` colleagues."""

    def __init__(self, stack: Stack, as_email: str = CALLER, base_url: str = "") -> None:
        self.url = f"{base_url or stack.meetbridge_url}/api/v1/availability"
        self.path = urlsplit(self.url).path
        self.headers = {"Authorization": f"Bearer {stack.tokens[as_email]}"}
        self.others = [e for e in [CALLER, *COLLEAGUES] if e != as_email]

    def params(self, count: int, start: datetime, end: datetime) -> dict:
        return {
            "with": self.others[: count - 1],
            "start": rfc3339(start),
            "end": rfc3339(end),
            "duration": 30,
        }

    def ask_kept_alive(self, http: KeptAlive, count: int, start, end) -> tuple[float, int]:
        """`ask`, over one kept-alive connection without requests (see `KeptAlive`)."""
        query = urlencode(self.params(count, start, end), doseq=True)
        started = time.perf_counter()
        status, body = http.get(f"{self.path}?{query}", self.headers)
        elapsed = time.perf_counter() - started
        if status == 200 and orjson.loads(body).get("unknown"):
            return elapsed, 599
        return elapsed, status

    def ask(self, http: requests.Session, count: int, start, end) -> tuple[float, int]:
        started = time.perf_counter()
        response = http.get(
            self.url, params=self.params(count, start, end), headers=self.headers, timeout=60
        )
        elapsed = time.perf_counter() - started
        if response.status_code == 200 and response.json().get("unknown"):
            return elapsed, 599  # an unreadable calendar would make the numbers meaningless
        return elapsed, response.status_code


def latency(stack: Stack, counts=(2, 10, 50, 120), samples: int = 25) -> list[dict]:
    """Cold: every sample a question not asked before (its window moved by a minute), so no
    answer can be reused; repeated: the same question again at once, inside the reuse window."""
    base_start, base_end = window(14)
    direct, mb, http = Direct(stack), Meetbridge(stack), requests.Session()
    rows = []
    everyone = [CALLER, *COLLEAGUES]
    for count in counts:
        mb.ask(http, count, base_start, base_end)  # warm: tokens, connections
        direct.free_busy(everyone[: min(count, 50)], base_start, base_end)
        direct_times, mb_times, repeated_times, parallel_times = [], [], [], []
        for n in range(samples):
            shift = timedelta(minutes=count * 100 + n + 1)
            start, end = base_start + shift, base_end + shift
            direct_times.append(direct.free_busy(everyone[: min(count, 50)], start, end))
            elapsed, status = mb.ask(http, count, start, end)
            if status != 200:
                raise RuntimeError(f"availability for {count} people answered {status}")
            mb_times.append(elapsed)
            elapsed, status = mb.ask(http, count, start, end)
            if status == 200:
                repeated_times.append(elapsed)
            if count > 50:
                parallel_times.append(direct.in_parallel(everyone[:count], start, end))
        extra = {}
        if parallel_times:
            extra = {
                "direct_parallel_ms_p50": 1000 * statistics.median(parallel_times),
                "ratio_p50_to_parallel": statistics.median(mb_times)
                / statistics.median(parallel_times),
            }
        if repeated_times:
            extra["repeated_ms_p50"] = 1000 * statistics.median(repeated_times)
            extra["ratio_repeated_p50"] = statistics.median(repeated_times) / statistics.median(
                direct_times
            )
        rows.append(
            {
                **extra,
                "people": count,
                "direct_ms_p50": 1000 * statistics.median(direct_times),
                "direct_ms_p95": 1000 * percentile(direct_times, 95),
                "ms_p50": 1000 * statistics.median(mb_times),
                "ms_p95": 1000 * percentile(mb_times, 95),
                "ratio_p50": statistics.median(mb_times) / statistics.median(direct_times),
                "ratio_p95": percentile(mb_times, 95) / percentile(direct_times, 95),
            }
        )
    return rows


def identical(stack: Stack, *, clients: int = 64, people: int = 10) -> dict:
    """`clients` identical requests by one member at the same instant: answers and the
    freeBusy calls the sandbox (Google) received for them."""
    start, end = window(14)
    start, end = start + timedelta(minutes=7777), end + timedelta(minutes=7777)  # never asked
    mb = Meetbridge(stack, list(stack.tokens)[-1])  # a member with a token, idle till now
    ready = threading.Barrier(clients)
    before = stack.sandbox.calls("calendar.freebusy.query")

    def ask(_) -> int:
        http = requests.Session()
        ready.wait()
        try:
            return mb.ask(http, people, start, end)[1]
        except requests.RequestException:
            return 0

    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = list(pool.map(ask, range(clients)))
    return {
        "clients": clients,
        "people": people,
        "errors": sum(status != 200 for status in statuses),
        "upstream_calls": stack.sandbox.calls("calendar.freebusy.query") - before,
    }


def throughput(stack: Stack, *, clients: int = 64, people: int = 10, seconds: float = 20) -> dict:
    """`clients` threads, each a different member, over every web server in turn. Every request
    is a question not asked before (its window moved by a minute), so none is a reused answer."""
    base_start, base_end = window(14)
    members = list(stack.tokens)[:clients]
    urls = stack.meetbridge_urls or [stack.meetbridge_url]
    stop = threading.Event()
    counts = {"ok": 0, "errors": 0}
    statuses: dict[int, int] = {}
    times: list[float] = []
    lock = threading.Lock()
    ready = threading.Barrier(clients + 1)

    def client(n: int, as_email: str) -> None:
        mb = Meetbridge(stack, as_email, urls[n % len(urls)])
        connection = KeptAlive(urls[n % len(urls)])
        asked = 0
        mb.ask_kept_alive(connection, people, base_start, base_end)  # connected before the clock
        ready.wait()
        while not stop.is_set():
            asked += 1
            shift = timedelta(minutes=people * 1000 + asked)
            try:
                elapsed, status = mb.ask_kept_alive(
                    connection, people, base_start + shift, base_end + shift
                )
            except CONNECTION_ERRORS:
                elapsed, status = 0.0, 0
            with lock:
                if status == 200:
                    counts["ok"] += 1
                    times.append(elapsed)
                else:
                    counts["errors"] += 1
                    statuses[status] = statuses.get(status, 0) + 1
        connection.close()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(client, n, email) for n, email in enumerate(members)]
        ready.wait()
        steady_since = datetime.now(UTC)  # every client has its token and connection by now
        began = time.monotonic()
        time.sleep(seconds)
        stop.set()
        for future in futures:
            future.result()
        elapsed = time.monotonic() - began
    return {
        "clients": clients,
        "people": people,
        "seconds": elapsed,
        "requests": counts["ok"],
        "errors": counts["errors"],
        "error_statuses": statuses,
        "per_second": counts["ok"] / elapsed,
        "ms_p50": 1000 * statistics.median(times) if times else None,
        "ms_p95": 1000 * percentile(times, 95) if times else None,
        "steady_since": steady_since,
    }


def by_hand(stack: Stack, count: int) -> float:
    """Seconds to read `count` calendars with google-api-python-client, one freeBusy each.

    Runs as another member than the latency runs, so as not to share their per-person quota.
    """
    start, end = window(14)
    credentials = service_account.Credentials.from_service_account_info(
        stack.key, scopes=[CALENDAR_SCOPE], subject=COLLEAGUES[-1]
    )
    calendar = build(
        "calendar",
        "v3",
        credentials=credentials,
        static_discovery=True,
        client_options={"api_endpoint": stack.sandbox.api_endpoint},
    )
    everyone = [CALLER, *COLLEAGUES][:count]

    def one(email: str) -> None:
        body = {"timeMin": rfc3339(start), "timeMax": rfc3339(end), "items": [{"id": email}]}
        calendar.freebusy().query(body=body).execute()

    one(CALLER)  # the token exchange happens here, outside the timing
    started = time.perf_counter()
    for email in everyone:
        one(email)
    return time.perf_counter() - started


def token_exchanges(since: datetime) -> dict:
    """oauth2.token calls meetbridge made since `since`, per impersonated person."""
    from django.db.models import Count

    from meetbridge.audit.models import AuditEvent

    rows = (
        AuditEvent.objects.filter(operation="oauth2.token", at__gte=since)
        .values("subject_email")
        .annotate(n=Count("id"))
    )
    return {row["subject_email"]: row["n"] for row in rows}
