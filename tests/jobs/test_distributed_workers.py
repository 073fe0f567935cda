"""Production shape: jobs go through Redis to separate `meetbridge worker` processes."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from tests.services import needs_redis

pytestmark = needs_redis

ENQUEUE = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetbridge.settings")
django.setup()
from meetbridge.jobs.tasks import heartbeat
names = {heartbeat(f"job-{i}").get(blocking=True, timeout=30) for i in range(6)}
print(sorted(names))
"""


def test_jobs_enqueued_by_the_web_process_run_on_separate_worker_processes(tmp_path):
    env = {
        **os.environ,
        "MEETBRIDGE_VAR_DIR": str(tmp_path / "var"),
        # A queue of its own on a spare Redis database, so parallel runs cannot interfere.
        "REDIS_URL": f"redis://127.0.0.1:6379/13?client_name=test-{uuid.uuid4().hex[:8]}",
    }
    env.pop("DATABASE_URL", None)
    meetbridge = [sys.executable, "-m", "meetbridge"]
    subprocess.run([*meetbridge, "migrate"], env=env, check=True, capture_output=True)
    workers = [
        subprocess.Popen(
            [*meetbridge, "worker", "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        done = subprocess.run(
            [sys.executable, "-c", ENQUEUE], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip() == str([f"job-{i}" for i in range(6)])
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=15)
