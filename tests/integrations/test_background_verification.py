"""The real job engine: a saved key is verified by a huey worker thread, not by the request."""

from __future__ import annotations

import time

import pytest

from meetbridge.jobs.embedded import start_embedded_worker


@pytest.mark.django_db(transaction=True)
def test_a_saved_key_turns_verified_in_the_background(admin_api, workspace, google_settings, jobs):
    consumer = start_embedded_worker(workers=2)
    try:
        response = admin_api.put(
            "/integration", {"provider": "google", "service_account_key": workspace.key}
        )
        assert response.json()["status"] == "pending"
        deadline = time.monotonic() + 30
        status = "pending"
        while status == "pending" and time.monotonic() < deadline:
            time.sleep(0.1)
            status = admin_api.get("/integration").json()["status"]
        assert status == "verified"
    finally:
        consumer.stop(graceful=True)
