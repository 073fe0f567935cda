"""The job engine is real: a job enqueued by the web process runs on a worker."""

import pytest

from meetbridge.jobs.embedded import start_embedded_worker
from meetbridge.jobs.models import WorkerHeartbeat
from meetbridge.jobs.tasks import heartbeat


@pytest.mark.django_db(transaction=True)
def test_a_job_enqueued_by_the_web_process_runs_on_the_embedded_worker():
    consumer = start_embedded_worker(workers=2)
    try:
        result = heartbeat("web-enqueued")
        assert result.get(blocking=True, timeout=20) == "web-enqueued"
        assert WorkerHeartbeat.objects.filter(worker="web-enqueued").exists()
    finally:
        consumer.stop(graceful=True)


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_the_database_and_the_last_worker_heartbeat(client):
    heartbeat.call_local("worker-1")
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["worker_seen_at"] is not None
