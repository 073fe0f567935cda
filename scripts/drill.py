"""Scale-out drill: two web servers and a worker on a private PostgreSQL and Redis.

`make drill` (or `.venv/bin/python scripts/drill.py`). Everything runs on this machine, on free
loopback ports, and is stopped at the end: a PostgreSQL cluster made with initdb in a temporary
directory (never the machine's shared one), a `redis-server` with an append-only file, the
Google sandbox, two gunicorn servers (production mode) and one `meetbridge worker`.

Steps, each a check that fails the drill:
1. load over both web servers: no error;
2. the worker killed (SIGKILL) while a key verification is queued: once a worker runs again the
   key is verified (nothing lost);
3. Redis restarted under load: the service answers again within seconds, no error after;
4. PostgreSQL restarted under load: the same.
Errors during an outage are counted and reported, not failed: what counts is what comes after.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
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
        retry = Retry(total=1, connect=1, read=1, status=0, allowed_methods=["GET"])
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
        for n in range(2):
            port = free_port()
            web = self.spawn(
                [sys.executable, "-m", "gunicorn", "meetbridge.wsgi", "--worker-class=gthread",
                 "--workers=1", f"--threads={WEB_THREADS}", f"--bind=127.0.0.1:{port}",
                 "--log-level=warning"],
                f"web{n + 1}",
            )  # fmt: skip
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/healthz", web, f"web server {n + 1}")
            self.web_urls.append(url)
        self.start_worker()
        log(f"web servers {', '.join(self.web_urls)}; one worker")
        return stack

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

    def restart_under_load(self, name: str, load: Load, restart) -> None:
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
        self.check(
            f"{name} restarted under load",
            sum(after.values()) > 0 and errors(after) == 0,
            restart_seconds=round(back_at - restarted_at, 1),
            during_restart_and_recovery=dict(during),
            after_recovery=dict(after),
        )

    def run(self) -> int:
        try:
            stack = self.start()
            tokens = list(stack.tokens.values())
            load = Load(self.web_urls, tokens[1:], clients=16)
            self.load_over_both(load)
            self.worker_killed_with_a_verification_queued(stack, tokens[0])
            self.restart_under_load("Redis", Load(self.web_urls, tokens[1:]), self.redis.restart)
            self.restart_under_load(
                "PostgreSQL", Load(self.web_urls, tokens[1:]), self.postgres.restart
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
