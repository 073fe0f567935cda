from __future__ import annotations

import os
import socket

from django.db import connection
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_shutdown

from meetbridge.jobs.models import WorkerHeartbeat


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@db_task()
def heartbeat(worker: str | None = None) -> str:
    name = worker or _worker_name()
    WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"seen_at": timezone.now()})
    return name


@db_periodic_task(crontab(minute="*"))
def periodic_heartbeat() -> None:
    heartbeat.call_local()


@on_shutdown()
def close_worker_database_connection() -> None:
    # Each worker thread holds its own persistent connection (CONN_MAX_AGE); release it on exit.
    connection.close()
