"""The system under test: the sandbox and meetbridge, each in its own process, on ephemeral ports.

- the Google Workspace sandbox: `meetbridge sandbox` (uvicorn), 100 ms injected on Google routes;
- meetbridge: gunicorn with gthread workers (see `serving`), on PostgreSQL when one is reachable
  (a throw-away database), else SQLite in a temporary directory;
- one tenant whose Workspace lives in the sandbox, its key saved and verified, 121 people who
  granted calendar access, each with recurring meetings on their calendar.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from workspace_sandbox.client import Sandbox

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "bench.test"
CALLER = "caller@bench.test"
COLLEAGUES = [f"person{n:03d}@bench.test" for n in range(120)]
ZONES = ("America/Toronto", "Europe/Paris", "America/New_York", "Europe/London")
CLIENT_PEOPLE = 64
# Two processes when Redis is reachable: they share Google tokens through it, so each person's
# token is still fetched once per lifetime. Without Redis, one process (each process would fetch
# its own tokens). Threads cover the upstream waits.
THREADS = 64
BENCH_REDIS_URL = "redis://127.0.0.1:6379/11"


def shared_tokens_url() -> str | None:
    """A Redis database of the bench's own, emptied, when Redis is reachable."""
    try:
        import redis

        client = redis.Redis.from_url(BENCH_REDIS_URL, socket_connect_timeout=1)
        client.flushdb()
        return BENCH_REDIS_URL
    except Exception:
        return None


def default_workers(redis_url: str | None) -> int:
    return 2 if redis_url else 1


def serving(
    workers: int, threads: int = THREADS, server_name: str = "gunicorn", shared: bool = False
) -> str:
    tokens = ", Google tokens shared through Redis" if shared and workers > 1 else ""
    if server_name == "waitress":
        return f"waitress 3, 1 process x {threads} threads"
    return f"gunicorn 27, gthread worker class: {workers} process x {threads} threads{tokens}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}.")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer at {url} within {timeout:.0f} s.")


def postgres_url() -> str | None:
    found = subprocess.run(
        ["sh", str(ROOT / "scripts" / "postgres-url.sh")], capture_output=True, text=True
    )
    return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else None


@dataclass
class Stack:
    sandbox: Sandbox
    meetbridge_url: str
    database: str
    meetbridge_urls: list[str] = field(default_factory=list)  # every web server; the first above
    tokens: dict[str, str] = field(default_factory=dict)  # API token of each client's person
    key: dict = field(default_factory=dict)
    server_log: str = ""
    var_dir: str = ""
    processes: list[subprocess.Popen] = field(default_factory=list)
    cleanups: list = field(default_factory=list)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
            if process.poll() is None:
                process.kill()
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                cleanup()


def _create_postgres_database(url: str) -> tuple[str, callable]:
    import psycopg

    name = f"meetbridge_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.rsplit("/", 1)[0] + "/" + name, drop


def server_command(name: str, workers: int, threads: int, port: int) -> list[str]:
    if name == "waitress":
        return [
            sys.executable,
            "-m",
            "waitress",
            f"--listen=127.0.0.1:{port}",
            f"--threads={threads}",
            "--backlog=256",
            "meetbridge.wsgi:application",
        ]
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "meetbridge.wsgi",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--backlog",
        "256",
        "--log-level",
        "warning",
    ]


def start(
    log,
    *,
    workers: int,
    threads: int = THREADS,
    server_name: str = "gunicorn",
    redis_url: str | None = None,
    servers: int = 1,
) -> Stack:
    """The sandbox, `servers` web servers of `workers` processes each and, with Redis, one
    `meetbridge worker` beside them (the production layout)."""
    var_dir = tempfile.mkdtemp(prefix="meetbridge-bench-")
    env = {**os.environ, "MEETBRIDGE_MODE": "local", "MEETBRIDGE_VAR_DIR": var_dir}
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    cleanups = []
    admin_url = postgres_url()
    if admin_url:
        database_url, drop = _create_postgres_database(admin_url)
        env["DATABASE_URL"] = database_url
        cleanups.append(drop)
        database = "PostgreSQL"
    else:
        env.pop("DATABASE_URL", None)
        database = "SQLite (PostgreSQL not reachable)"

    sandbox_port = free_port()
    sandbox_process = subprocess.Popen(
        [sys.executable, "-m", "meetbridge", "sandbox", "--port", str(sandbox_port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    stack = Stack(Sandbox(sandbox_url), "", database, processes=[sandbox_process])
    stack.cleanups = cleanups
    stack.var_dir = var_dir
    try:
        wait_for(f"{sandbox_url}/_sandbox/v1/health", sandbox_process, "The sandbox")
        env["GOOGLE_TOKEN_URI"] = f"{sandbox_url}/token"
        env["GOOGLE_API_BASE"] = sandbox_url
        env.update(_microsoft_settings(sandbox_url, var_dir))
        os.environ.update(
            {k: env[k] for k in env if k.startswith(("MEETBRIDGE_", "GOOGLE_", "MICROSOFT_"))}
        )
        if "DATABASE_URL" in env:
            os.environ["DATABASE_URL"] = env["DATABASE_URL"]
        log(f"sandbox on {sandbox_url}; seeding a Workspace and meetbridge ({database})")
        _seed(stack)
        stack.server_log = os.path.join(var_dir, "gunicorn.log")
        for _ in range(servers):
            port = free_port()
            server = subprocess.Popen(
                server_command(server_name, workers, threads, port),
                env=env,
                cwd=var_dir,
                stderr=open(stack.server_log, "a"),  # noqa: SIM115 - the server process owns it
            )
            stack.processes.append(server)
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/healthz", server, f"meetbridge ({server_name})")
            stack.meetbridge_urls.append(url)
        stack.meetbridge_url = stack.meetbridge_urls[0]
        if redis_url:
            stack.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "meetbridge", "worker", "--workers", "2"],
                    env=env,
                    cwd=var_dir,
                    stderr=open(stack.server_log, "a"),  # noqa: SIM115
                )
            )
        log(
            f"meetbridge on {', '.join(stack.meetbridge_urls)}"
            + (" and a worker" if redis_url else "")
            + f", each served by {serving(workers, threads, server_name, bool(redis_url))}"
        )
    except BaseException:
        stack.stop()
        raise
    return stack


def _microsoft_settings(sandbox_url: str, var_dir: str) -> dict[str, str]:
    """The sandbox's Microsoft stand-in, over HTTPS, trusted through its own authority."""
    tls = requests.get(f"{sandbox_url}/_sandbox/v1/tls", timeout=10).json()
    ca_path = os.path.join(var_dir, "sandbox-ca.pem")
    with open(ca_path, "w") as handle:
        handle.write(tls["ca_certificate"])
    return {
        "MICROSOFT_LOGIN_BASE": tls["microsoft_login_base"],
        "MICROSOFT_GRAPH_BASE": tls["microsoft_graph_base"],
        "MICROSOFT_CA_BUNDLE": ca_path,
    }


def _busy_events(zone: str, first_day: datetime) -> list[dict]:
    """Three recurring meetings a weekday: 09:30, 11:00 and 14:00 local, of varying length."""
    day = first_day.date().isoformat()
    return [
        {
            "summary": "Recurring",
            "start": {"dateTime": f"{day}T{start}:00", "timeZone": zone},
            "end": {"dateTime": f"{day}T{end}:00", "timeZone": zone},
            "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=60"],
        }
        for start, end in (("09:30", "10:00"), ("11:00", "12:00"), ("14:00", "14:45"))
    ]


def _seed(stack: Stack) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetbridge.settings")
    django.setup()
    from django.core.management import call_command

    from meetbridge.integrations.connection import save_key
    from meetbridge.integrations.verification import check_credential
    from meetbridge.scheduling import consent
    from meetbridge.tenants.models import ApiToken
    from meetbridge.tenants.service import add_person, create_tenant

    setup = stack.sandbox.quick_setup(DOMAIN, [CALLER, *COLLEAGUES])
    stack.key = setup.key
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for n, email in enumerate([CALLER, *COLLEAGUES]):
        for body in _busy_events(ZONES[n % len(ZONES)], today):
            stack.sandbox.seed_event(email, body)

    call_command("migrate", verbosity=0)
    tenant = create_tenant(slug="bench", name="Bench", domain=DOMAIN, time_zone="America/Toronto")
    people = []
    for n, email in enumerate([CALLER, *COLLEAGUES]):
        person = add_person(tenant=tenant, email=email, admin=(email == CALLER))
        consent.grant(person, time_zone=ZONES[n % len(ZONES)])
        people.append(person)
    credential = save_key(tenant=tenant, actor=people[0], provider="google", raw_key=setup.key)
    result = check_credential(credential.id, credential.check_round)
    if result is None or result.status != "verified":
        raise RuntimeError(f"The bench's integration did not verify: {result}")
    # Google limits requests per impersonated person (600 a minute): the concurrent clients are
    # different members, as they would be.
    for person in people[:CLIENT_PEOPLE]:
        stack.tokens[person.email] = ApiToken.issue(person)[1]


def window(days: int = 14) -> tuple[datetime, datetime]:
    """From tomorrow 00:00 UTC, `days` long."""
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start += timedelta(days=1)
    return start, start + timedelta(days=days)
