"""The issue-12 measures that need servers of their own: the ceiling (a bare Django view making
one upstream call, served like meetbridge), and `meetbridge run` on the embedded SQLite default.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

from bench import http_bench
from bench.stack import ROOT, Stack, free_port, server_command, wait_for
from workspace_sandbox.client import Sandbox

# Throughput runs ask up to hundreds of questions a second, each a different member (within
# Google's 600 a minute per person); the sandbox's per-project stand-in limit (10,000 a minute)
# is lifted for them, as a project's quota would be raised for such an installation.
PROJECT_LIMIT_FOR_THROUGHPUT = 1_000_000


def ceiling(stack: Stack, log, *, servers: int, threads: int, people: int, seconds: float):
    """The same clients against `servers` gunicorns of the bare view, side by side."""
    direct = http_bench.Direct(stack)
    env = {
        **os.environ,
        "CEILING_FREEBUSY_URL": f"{stack.sandbox.url}/calendar/v3/freeBusy",
        "CEILING_TOKEN": direct.token,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    processes, urls = [], []
    stack.sandbox.set_limits(user_requests_per_minute=1_000_000)  # one token for every client
    try:
        for _ in range(servers):
            port = free_port()
            command = server_command("gunicorn", 1, threads, port)
            command[command.index("meetbridge.wsgi")] = "bench.ceiling:application"
            process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
            processes.append(process)
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/healthz", process, "the ceiling view")
            urls.append(url)
        log(f"ceiling: bare Django view on {', '.join(urls)}, {servers} x 1 process x {threads}")
        bare = Stack(stack.sandbox, urls[0], "", meetbridge_urls=urls, tokens=stack.tokens)
        return http_bench.throughput(bare, people=people, seconds=seconds)
    finally:
        stack.sandbox.set_limits(user_requests_per_minute=600)
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


def embedded(log, *, seconds: float, people: int = 10) -> dict:
    """`meetbridge run` in production mode on SQLite (no DATABASE_URL, no REDIS_URL)."""
    var_dir = tempfile.mkdtemp(prefix="meetbridge-bench-embedded-")
    env = {
        **os.environ,
        "MEETBRIDGE_MODE": "production",
        "MEETBRIDGE_SIGNING_KEY": Fernet.generate_key().decode() * 2,
        "MEETBRIDGE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "MEETBRIDGE_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEETBRIDGE_VAR_DIR": var_dir,
        "PYTHONPATH": str(ROOT),
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    processes = []
    try:
        sandbox_port = free_port()
        sandbox_process = subprocess.Popen(
            [sys.executable, "-m", "meetbridge", "sandbox", "--port", str(sandbox_port)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        processes.append(sandbox_process)
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        wait_for(f"{sandbox_url}/_sandbox/v1/health", sandbox_process, "The sandbox")
        env |= {
            "GOOGLE_TOKEN_URI": f"{sandbox_url}/token",
            "GOOGLE_API_BASE": sandbox_url,
            "DJANGO_SETTINGS_MODULE": "meetbridge.settings",
            "BENCH_SANDBOX_URL": sandbox_url,
        }
        log("embedded: seeding SQLite for `meetbridge run` (production mode)")
        seeded = subprocess.run(
            [sys.executable, "-m", "bench.seed_cli"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        port = free_port()
        log_path = Path(var_dir) / "run.log"
        runner = subprocess.Popen(
            [sys.executable, "-m", "meetbridge", "run", "--port", str(port)],
            env={k: v for k, v in env.items() if k != "BENCH_SANDBOX_URL"},
            stdout=subprocess.DEVNULL,
            stderr=open(log_path, "w"),  # noqa: SIM115
            cwd=var_dir,
        )
        processes.append(runner)
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/healthz", runner, "meetbridge run", timeout=120)
        sandbox = Sandbox(sandbox_url)
        sandbox.set_faults(latency_ms=http_bench.LATENCY_MS)
        sandbox.set_limits(project_requests_per_minute=PROJECT_LIMIT_FOR_THROUGHPUT)
        stack = Stack(sandbox, url, "SQLite (embedded)", meetbridge_urls=[url])
        stack.tokens = seed["tokens"]
        log(f"embedded: `meetbridge run` on {url}: 64 clients, {people} people, {seconds:.0f} s")
        result = http_bench.throughput(stack, people=people, seconds=seconds)
        result.pop("steady_since", None)
        return result
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
