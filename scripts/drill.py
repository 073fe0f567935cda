"""Scale-out drill: two web servers and a worker on a private PostgreSQL and Redis.

`make drill` (or `.venv/bin/python scripts/drill.py`). Everything runs on this machine, on free
loopback ports, and is stopped at the end: a PostgreSQL cluster made with initdb in a temporary
directory (never the machine's shared one), a `redis-server` with an append-only file, the
Google sandbox, two gunicorn servers (production mode) and one `meetbridge worker`.

Steps, each a check that fails the drill:
1. load over both web servers: no error;
2. the worker killed (SIGKILL) while a key verification is queued: once a worker runs again the
   key is verified (nothing lost);
3. a web server killed (SIGKILL, its whole process group) mid-change, one change at a time,
   under light load: a booking between its reservation and its insert (the insert never lands),
   a booking between its insert and its confirmation (the insert lands), a cancel and a
   reschedule whose calendar call lands after the kill. Right after each kill the listing tells
   the truth (nothing shown as booked, `cancelling`, `rescheduling` with `moving_to`); the next
   request (a retried booking with the same Idempotency-Key, a retried move) or the worker's
   sweep settles each within the lease (MEETBRIDGE_BOOKING_LEASE_SECONDS, shortened here) plus
   one sweep interval; each meeting is on the calendar exactly once (or not at all);
4. Redis restarted under load: the service answers again within seconds, no error after;
5. PostgreSQL down for 5 s under load: 503s while it is down, the same after.
No answer may be a 500, during an outage or a crash or after. Other errors during an outage
(503, refused connections) are counted and reported, not failed: what counts is what comes after.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stack import Stack, _seed, free_port, wait_for, window  # noqa: E402

from workspace_sandbox.client import Sandbox  # noqa: E402

RECOVERY_SECONDS = 10  # how long after a restart the service may take to answer again
WEB_THREADS = 16
LEASE_SECONDS = 15  # MEETBRIDGE_BOOKING_LEASE_SECONDS for the drill (production: 120)
SWEEP_INTERVAL = 60  # the sweep's crontab: every minute
SETTLE_SLACK = 10  # the worker's scheduler ticks once a minute, plus the sweep's own run
CALL_LATENCY_MS = 3000  # how long the calendar takes over the call a server is killed during
# The calendar makes the change at once and answers late: the server dies without the answer.
LANDS = {"answer_latency_ms": CALL_LATENCY_MS}
POSTGRES_DOWN_SECONDS = 5
INSERT = "/calendar/v3/calendars/*/events"
EVENT = "/calendar/v3/calendars/*/events/*"


def log(message: str) -> None:
    print(f"[drill {time.strftime('%H:%M:%S')}] {message}", flush=True)


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        raise SystemExit("The drill needs PostgreSQL's server programs (initdb, pg_ctl).")
    return Path(pg_ctl).resolve().parent


def as_postgres_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` account then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@dataclass
class PrivatePostgres:
    directory: Path
    port: int
    bin: Path = field(default_factory=postgres_bin)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        subprocess.run(
            as_postgres_user(
                [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c max_connections=200 -c fsync=off"
        subprocess.run(
            as_postgres_user(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-w",
                    "-l",
                    str(self.directory / "postgres.log"),
                    *args,
                ]
            ),  # fmt: skip
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", "fast")


@dataclass
class PrivateRedis:
    directory: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Append-only with a write per command: queued jobs survive a restart, as in production.
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--appendonly", "yes", "--appendfsync", "always",
             "--save", ""],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            done = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            )
            if done.stdout.strip() == "PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("The drill's Redis did not start.")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            subprocess.run(["redis-cli", "-p", str(self.port), "shutdown"], capture_output=True)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            if self.process.poll() is None:
                self.process.kill()

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class Load:
    """Clients asking availability of the web servers in turn, each a different member."""

    urls: list[str]
    tokens: list[str]
    clients: int = 16
    outcomes: list[tuple[float, str]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def _client(self, n: int) -> None:
        session = requests.Session()
        # As a well-behaved client: a GET whose kept-alive connection the server closed just as
        # it was reused is sent once more (connection errors only; never on an HTTP status).
        # A 503's Retry-After is not followed here: the drill counts each 503 as answered.
        retry = Retry(
            total=1,
            connect=1,
            read=1,
            status=0,
            allowed_methods=["GET"],
            respect_retry_after_header=False,
        )
        session.mount("http://", HTTPAdapter(max_retries=retry))
        start, end = window(14)
        token = self.tokens[n % len(self.tokens)]
        asked = 0
        while not self._stop.is_set():
            url = self.urls[(n + asked) % len(self.urls)]
            asked += 1
            try:
                answer = session.get(
                    f"{url}/api/v1/availability",
                    params={"start": start.isoformat(), "end": end.isoformat(), "duration": 30},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                )
                outcome = str(answer.status_code)
            except requests.RequestException as exc:
                outcome = type(exc).__name__
            self.outcomes.append((time.monotonic(), outcome))

    def start(self) -> None:
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True)
            for n in range(self.clients)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def between(self, start: float, end: float) -> Counter:
        return Counter(outcome for at, outcome in self.outcomes if start <= at < end)


def errors(counts: Counter) -> int:
    return sum(n for outcome, n in counts.items() if outcome != "200")


@dataclass
class Crash:
    """One change a web server was killed during, and what became of it."""

    name: str
    organizer: str
    token: str
    event_id: str
    killed_at: float
    shown_after_kill: str  # the organizer's listing right after the kill
    settled_by: str  # "next request" or "sweep"
    retry: dict = field(default_factory=dict)  # the next request: method, path, body, headers
    settled_after: float | None = None  # seconds from the kill
    state: str = ""
    events_on_calendar: int = -1
    answers: list[str] = field(default_factory=list)


class Drill:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.directory = Path(tempfile.mkdtemp(prefix="meetbridge-drill-"))
        os.chmod(self.directory, 0o755)  # noqa: S103 - the postgres account enters it
        self.postgres = PrivatePostgres(self.directory / "postgres", free_port())
        self.redis = PrivateRedis(self.directory / "redis", free_port())
        self.processes: list[subprocess.Popen] = []
        self.worker: subprocess.Popen | None = None
        self.results: dict = {"checks": {}}
        self.env: dict[str, str] = {}

    # -- the cluster --

    def spawn(self, command: list[str], name: str) -> subprocess.Popen:
        process = subprocess.Popen(
            command,
            env=self.env,
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=open(self.directory / f"{name}.log", "a"),  # noqa: SIM115
            start_new_session=True,  # a process group of its own, to kill it whole
        )
        self.processes.append(process)
        return process

    def start_worker(self) -> None:
        self.worker = self.spawn(
            [sys.executable, "-m", "meetbridge", "worker", "--workers", "2"], "worker"
        )

    def start(self) -> Stack:
        log(f"private PostgreSQL on port {self.postgres.port}, Redis on {self.redis.port}")
        self.postgres.create()
        self.postgres.start()
        self.redis.start()
        self.env = {
            **os.environ,
            "MEETBRIDGE_MODE": "production",
            "MEETBRIDGE_SIGNING_KEY": Fernet.generate_key().decode() * 2,
            "MEETBRIDGE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "MEETBRIDGE_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MEETBRIDGE_VAR_DIR": str(self.directory / "var"),
            "DATABASE_URL": self.postgres.url,
            "REDIS_URL": self.redis.url,
            "MEETBRIDGE_BOOKING_LEASE_SECONDS": str(LEASE_SECONDS),
        }
        sandbox_port = free_port()
        sandbox_process = self.spawn(
            [sys.executable, "-m", "meetbridge", "sandbox", "--port", str(sandbox_port)],
            "sandbox",
        )
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        wait_for(f"{sandbox_url}/_sandbox/v1/health", sandbox_process, "The sandbox")
        self.env["GOOGLE_TOKEN_URI"] = f"{sandbox_url}/token"
        self.env["GOOGLE_API_BASE"] = sandbox_url
        for name in ("MEETBRIDGE_", "GOOGLE_", "DATABASE_URL", "REDIS_URL"):
            os.environ.update({k: v for k, v in self.env.items() if k.startswith(name)})
        stack = Stack(Sandbox(sandbox_url), "", "PostgreSQL (private)")
        log("seeding a Workspace and a tenant of 121 members")
        _seed(stack)
        stack.sandbox.set_faults(latency_ms=20)
        self.web_urls = []
        self.web_servers = []
        for n in range(2):
            self.web_urls.append(f"http://127.0.0.1:{free_port()}")
            self.web_servers.append(self.start_web(n))
        self.start_worker()
        log(f"web servers {', '.join(self.web_urls)}; one worker")
        return stack

    def start_web(self, n: int) -> subprocess.Popen:
        url = self.web_urls[n]
        port = url.rsplit(":", 1)[1]
        web = self.spawn(
            [sys.executable, "-m", "gunicorn", "meetbridge.wsgi", "--worker-class=gthread",
             "--workers=1", f"--threads={WEB_THREADS}", f"--bind=127.0.0.1:{port}",
             "--log-level=warning"],
            f"web{n + 1}",
        )  # fmt: skip
        wait_for(f"{url}/healthz", web, f"web server {n + 1}")
        return web

    def kill_web(self, n: int) -> float:
        """SIGKILL to the server's whole process group (gunicorn and its worker): no cleanup
        runs, as when a machine dies. Answers when it died; the server is started again."""
        server = self.web_servers[n]
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        killed_at = time.monotonic()
        self.web_servers[n] = self.start_web(n)
        return killed_at

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=15)
            if process.poll() is None:
                process.kill()
        self.redis.stop()
        self.postgres.stop()
        if all(c["passed"] for c in self.results["checks"].values()):
            shutil.rmtree(self.directory, ignore_errors=True)
        else:
            log(f"logs kept in {self.directory}")

    # -- the steps --

    def check(self, name: str, passed: bool, **facts) -> None:
        self.results["checks"][name] = {"passed": passed, **facts}
        log(f"{'PASS' if passed else 'FAIL'} {name}: {json.dumps(facts)}")

    def load_over_both(self, load: Load) -> None:
        began = time.monotonic()
        load.start()
        time.sleep(self.seconds)
        load.stop()
        counts = load.between(began, time.monotonic())
        total = sum(counts.values())
        self.check(
            "load over both web servers",
            total > 0 and errors(counts) == 0,
            requests=total,
            per_second=round(total / self.seconds, 1),
            outcomes=dict(counts),
        )

    def worker_killed_with_a_verification_queued(self, stack: Stack, admin_token: str) -> None:
        self.worker.kill()
        self.worker.wait()
        api = f"{self.web_urls[0]}/api/v1/integration"
        headers = {"Authorization": f"Bearer {admin_token}"}
        saved = requests.put(
            api, json={"provider": "google", "service_account_key": stack.key}, headers=headers,
            timeout=30,
        )  # fmt: skip
        queued = saved.status_code == 202 and saved.json()["status"] == "pending"
        still_pending = requests.get(api, headers=headers, timeout=30).json()["status"]
        self.start_worker()
        deadline = time.monotonic() + 60
        status = still_pending
        while status == "pending" and time.monotonic() < deadline:
            time.sleep(0.5)
            status = requests.get(api, headers=headers, timeout=30).json()["status"]
        self.check(
            "worker killed while a key verification is queued",
            queued and still_pending == "pending" and status == "verified",
            while_no_worker=still_pending,
            after_restart=status,
        )

    def restart_under_load(self, name: str, load: Load, restart, *, expect_503=False) -> None:
        load.start()
        time.sleep(self.seconds / 2)
        restarted_at = time.monotonic()
        restart()
        back_at = time.monotonic()
        settled = back_at + RECOVERY_SECONDS
        time.sleep(RECOVERY_SECONDS + self.seconds / 2)
        load.stop()
        ended = time.monotonic()
        during = load.between(restarted_at, settled)
        after = load.between(settled, ended)
        everything = load.between(0, ended)
        self.check(
            name,
            sum(after.values()) > 0
            and errors(after) == 0
            and everything["500"] == 0
            and (during["503"] > 0 or not expect_503),
            outage_seconds=round(back_at - restarted_at, 1),
            during_outage_and_recovery=dict(during),
            after_recovery=dict(after),
            answers_500=everything["500"],
        )

    def postgres_down(self) -> None:
        self.postgres.stop()
        time.sleep(POSTGRES_DOWN_SECONDS)
        self.postgres.start()

    # -- a web server killed mid-change --

    def ask(self, crash_log: list[str], method: str, url: str, token: str, **kwargs):
        """One request of the drill's own; its status (or error) is kept for the no-500 check."""
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        try:
            answer = requests.request(method, url, headers=headers, timeout=60, **kwargs)
        except requests.RequestException as exc:
            crash_log.append(type(exc).__name__)
            return None
        crash_log.append(str(answer.status_code))
        return answer

    def booking_of(self, organizer: str):
        from django.db import close_old_connections

        from meetbridge.meetings.models import Booking

        close_old_connections()
        return Booking.objects.filter(organizer__email=organizer).order_by("-created_at").first()

    def meetbridge_events(self, stack: Stack, organizer: str) -> list[dict]:
        """The organizer's events meetbridge made (its private marker), cancelled ones aside."""
        return [
            e
            for e in stack.sandbox.events_of(organizer)
            if "meetbridge_booking" in e.get("extendedProperties", {}).get("private", {})
            and e.get("status") != "cancelled"
        ]

    def listed(self, crash_log, organizer_token: str, event_id: str) -> dict | None:
        answer = self.ask(crash_log, "GET", f"{self.web_urls[1]}/api/v1/meetings", organizer_token)
        if answer is None or answer.status_code != 200:
            return None
        return next((m for m in answer.json() if m["id"] == event_id), None)

    def killed_during(
        self, stack: Stack, crash_log: list[str], faults: dict, state: str, organizer: str,
        send, landed=None,
    ) -> tuple[float, str]:  # fmt: skip
        """Sends a change to web server 1 while the calendar is slow over it (`faults`), kills
        the server once the booking row says the change is under way and, given `landed`, once
        the calendar shows the change made (its answer still held back); answers when, and the
        event's id."""
        stack.sandbox.set_faults(**faults)
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        deadline = time.monotonic() + 30
        booking = None
        while time.monotonic() < deadline:
            booking = self.booking_of(organizer)
            if booking is not None and booking.state == state and (landed is None or landed()):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"The booking of {organizer} never reached {state}.")
        killed_at = self.kill_web(0)
        sender.join(timeout=60)
        stack.sandbox.set_faults(latency_ms=20)
        return killed_at, booking.event_id

    def book(self, crash_log, url: str, token: str, attendee: str, start, key: str = ""):
        body = {"attendees": [attendee], "start": start.isoformat(), "duration": 30,
                "title": "Drill"}  # fmt: skip
        headers = {"Idempotency-Key": key} if key else {}
        return self.ask(crash_log, "POST", f"{url}/api/v1/meetings", token, json=body,
                        headers=headers)  # fmt: skip

    def crashes(self, stack: Stack) -> list[Crash]:
        """The four kills, one after the other; what each left is settled later."""
        from datetime import date, datetime
        from datetime import time as clock
        from zoneinfo import ZoneInfo

        toronto = ZoneInfo("America/Toronto")
        day = date.today() + timedelta(days=7)
        while day.weekday() >= 5:
            day += timedelta(days=1)

        def at(hour: int):
            return datetime.combine(day, clock(hour), tzinfo=toronto)

        # Pairs of members in Toronto (every fourth one): 15:00 and 16:00 are free for both.
        pairs = [(f"person{n:03d}@bench.test", f"person{n + 4:03d}@bench.test")
                 for n in (3, 11, 19, 27)]  # fmt: skip
        log_of: list[str] = []
        self.crash_answers = log_of
        made = []
        web1 = self.web_urls[0]

        organizer, attendee = pairs[0]
        token = stack.tokens[organizer]
        key = f"drill-{uuid.uuid4()}"
        killed_at, event_id = self.killed_during(
            stack, log_of, {"latency_ms": CALL_LATENCY_MS, "error_rate": 1.0, "paths": [INSERT],
                            "methods": ["POST"]},
            "inserting", organizer,
            lambda: self.book(log_of, web1, token, attendee, at(15), key),
        )  # fmt: skip
        listed = self.listed(log_of, token, event_id)
        made.append(Crash(
            "booking killed between reservation and insert", organizer, token, event_id,
            killed_at, listed["status"] if listed else "not listed", "next request",
            retry={"method": "POST", "path": "/api/v1/meetings", "headers": {"Idempotency-Key": key},
                   "json": {"attendees": [attendee], "start": at(15).isoformat(),
                            "duration": 30, "title": "Drill"}},
        ))  # fmt: skip

        organizer, attendee = pairs[1]
        token = stack.tokens[organizer]
        killed_at, event_id = self.killed_during(
            stack, log_of, {**LANDS, "paths": [INSERT], "methods": ["POST"]}, "inserting",
            organizer,
            lambda: self.book(log_of, web1, token, attendee, at(15), f"drill-{uuid.uuid4()}"),
            landed=lambda: len(self.meetbridge_events(stack, organizer)) == 1,
        )  # fmt: skip
        listed = self.listed(log_of, token, event_id)
        made.append(Crash(
            "booking killed between insert and confirmation", organizer, token, event_id,
            killed_at, listed["status"] if listed else "not listed", "sweep",
        ))  # fmt: skip

        organizer, attendee = pairs[2]
        token = stack.tokens[organizer]
        booked = self.book(log_of, self.web_urls[1], token, attendee, at(15))
        assert booked is not None and booked.status_code == 201, booked and booked.text
        meeting = booked.json()["id"]
        killed_at, event_id = self.killed_during(
            stack, log_of, {**LANDS, "paths": [EVENT], "methods": ["DELETE"]}, "cancelling",
            organizer,
            lambda: self.ask(log_of, "DELETE", f"{web1}/api/v1/meetings/{meeting}", token),
            landed=lambda: self.meetbridge_events(stack, organizer) == [],
        )  # fmt: skip
        listed = self.listed(log_of, token, event_id)
        made.append(Crash(
            "cancel killed after its delete was sent", organizer, token, event_id, killed_at,
            listed["status"] if listed else "not listed", "sweep",
        ))  # fmt: skip

        organizer, attendee = pairs[3]
        token = stack.tokens[organizer]
        booked = self.book(log_of, self.web_urls[1], token, attendee, at(15))
        assert booked is not None and booked.status_code == 201, booked and booked.text
        meeting = booked.json()["id"]
        moving = {"start": at(16).isoformat()}
        killed_at, event_id = self.killed_during(
            stack, log_of, {**LANDS, "paths": [EVENT], "methods": ["PATCH"]}, "rescheduling",
            organizer,
            lambda: self.ask(log_of, "PATCH", f"{web1}/api/v1/meetings/{meeting}", token,
                             json=moving),
            landed=lambda: [datetime.fromisoformat(e["start"]["dateTime"]) for e in
                            self.meetbridge_events(stack, organizer)] == [at(16)],
        )  # fmt: skip
        listed = self.listed(log_of, token, event_id)
        shown = "not listed"
        if listed:
            to = listed.get("moving_to") or {}
            shown = listed["status"]
            if to.get("start") and datetime.fromisoformat(to["start"]) == at(16):
                shown += " (moving_to the new time)"
        made.append(Crash(
            "reschedule killed after its move was sent", organizer, token, event_id, killed_at,
            shown, "next request",
            retry={"method": "PATCH", "path": f"/api/v1/meetings/{meeting}", "json": moving},
        ))  # fmt: skip
        return made

    def settle(self, stack: Stack, made: list[Crash]) -> None:
        """Each crash settled by the next request once the lease has run out, or by the
        worker's sweep; waits no longer than lease + one sweep interval (+ slack) each."""
        bound = LEASE_SECONDS + SWEEP_INTERVAL + SETTLE_SLACK
        for crash in made:
            if crash.settled_by != "next request":
                continue
            time.sleep(max(0.0, crash.killed_at + LEASE_SECONDS + 1 - time.monotonic()))
            retry = dict(crash.retry)
            answer = self.ask(
                self.crash_answers, retry.pop("method"),
                f"{self.web_urls[1]}{retry.pop('path')}", crash.token, **retry,
            )  # fmt: skip
            crash.answers.append(str(answer.status_code) if answer is not None else "no answer")
            self.settled(crash, bound)
        waiting = [c for c in made if c.settled_after is None and not self.settled(c, bound)]
        while waiting:
            time.sleep(0.5)
            waiting = [crash for crash in waiting if not self.settled(crash, bound)]
        for crash in made:
            crash.events_on_calendar = len(self.meetbridge_events(stack, crash.organizer))

    def settled(self, crash: Crash, bound: float) -> bool:
        """Whether to stop watching the crash: settled (when first seen), or out of time."""
        booking = self.booking_of(crash.organizer)
        crash.state = booking.state
        if booking.state in ("confirmed", "cancelled", "failed"):
            crash.settled_after = round(time.monotonic() - crash.killed_at, 1)
            return True
        return time.monotonic() > crash.killed_at + bound

    def web_server_killed_mid_change(self, stack: Stack, load: Load) -> None:
        load.start()
        try:
            made = self.crashes(stack)
            self.settle(stack, made)
        finally:
            load.stop()
        bound = LEASE_SECONDS + SWEEP_INTERVAL + SETTLE_SLACK
        expected = {  # state settled in, events of it on the calendar, what the listing showed
            made[0].name: ("confirmed", 1, {"not listed"}),
            made[1].name: ("confirmed", 1, {"not listed"}),
            made[2].name: ("cancelled", 0, {"cancelling"}),
            made[3].name: ("confirmed", 1, {"rescheduling (moving_to the new time)"}),
        }
        answers = Counter(self.crash_answers) + Counter(o for _, o in load.outcomes)
        for crash in made:
            state, events, shown = expected[crash.name]
            retried_ok = all(a in ("200", "201") for a in crash.answers)
            self.check(
                f"web server killed: {crash.name}",
                crash.state == state
                and crash.events_on_calendar == events
                and crash.shown_after_kill in shown
                and crash.settled_after is not None
                and crash.settled_after <= bound
                and retried_ok,
                shown_after_kill=crash.shown_after_kill,
                settled_by=crash.settled_by,
                settled_after_seconds=crash.settled_after,
                bound_seconds=bound,
                state=crash.state,
                events_on_calendar=crash.events_on_calendar,
                next_request_answered=crash.answers,
            )
        self.check(
            "no answer was a 500 while web servers were killed",
            answers["500"] == 0,
            answers=dict(answers),
        )

    def run(self) -> int:
        try:
            stack = self.start()
            tokens = list(stack.tokens.values())
            load = Load(self.web_urls, tokens[1:], clients=16)
            self.load_over_both(load)
            self.worker_killed_with_a_verification_queued(stack, tokens[0])
            self.web_server_killed_mid_change(stack, Load(self.web_urls, tokens[40:], clients=4))
            self.restart_under_load(
                "Redis restarted under load", Load(self.web_urls, tokens[1:]), self.redis.restart
            )
            self.restart_under_load(
                f"PostgreSQL down {POSTGRES_DOWN_SECONDS} s under load",
                Load(self.web_urls, tokens[1:]),
                self.postgres_down,
                expect_503=True,
            )
        finally:
            self.stop()
        passed = all(c["passed"] for c in self.results["checks"].values())
        print(json.dumps(self.results, indent=2))
        log("drill passed" if passed else "drill FAILED")
        return 0 if passed else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each load run")
    args = parser.parse_args()
    return Drill(args.seconds).run()


if __name__ == "__main__":
    sys.exit(main())
