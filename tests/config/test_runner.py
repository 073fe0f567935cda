"""`meetbridge run` serves like production: gunicorn processes of gthread workers, and stops
every one of them when it is stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from cryptography.fernet import Fernet

from meetbridge.runner import gunicorn_command


def test_the_web_is_served_by_several_gthread_processes():
    command = gunicorn_command("127.0.0.1", 8000, processes=2, threads=32)
    assert command[:4] == [sys.executable, "-m", "gunicorn", "meetbridge.wsgi"]
    assert {"--worker-class=gthread", "--workers=2", "--threads=32"} <= set(command)


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in found.read_text().split()] if found.exists() else []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_production_mode_on_sqlite_serves_from_two_processes_and_stops_them_all(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "MEETBRIDGE_MODE": "production",
        "MEETBRIDGE_SIGNING_KEY": "s" * 50,
        "MEETBRIDGE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "MEETBRIDGE_ALLOWED_HOSTS": "127.0.0.1",
        "MEETBRIDGE_VAR_DIR": str(tmp_path / "var"),
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    runner = subprocess.Popen(
        [sys.executable, "-m", "meetbridge", "run", "--port", str(port), "--processes", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120  # a bound for a broken start, not a speed bet
        healthy = False
        while not healthy and time.monotonic() < deadline and runner.poll() is None:
            try:
                healthy = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).ok
            except requests.RequestException:
                time.sleep(0.2)
        assert healthy, runner.stderr.read().decode() if runner.poll() is not None else ""
        [master] = children(runner.pid)
        workers = children(master)
        assert len(workers) == 2
    finally:
        runner.send_signal(signal.SIGTERM)
        runner.wait(timeout=90)
    assert not Path(f"/proc/{master}").exists()
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
