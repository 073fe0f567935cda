"""Fixtures for anything that talks to Google through a tenant's integration.

Registered for the whole suite in tests/conftest.py:
- `google_settings`: meetbridge pointed at the sandbox, with quick retries.
- `microsoft_settings`: the same for the sandbox's Microsoft 365 stand-in (its own CA).
- `jobs`: the real huey queue, drained on demand (`jobs.run_due(now)`), so background work runs
  deterministically in the test's thread; tasks scheduled for later run once `now` passes them.
- `workspace`: the tenant's Google Workspace in the sandbox (admin and member are users, a
  service account with a key, delegation granted).
- `connected`: the tenant's integration saved and verified with that key; returns the sandbox
  `Setup`. After it, `provider_for(tenant, person)` works.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.cache import caches
from huey import signals
from huey.contrib.djhuey import HUEY

from meetbridge.integrations import connection, verification
from meetbridge.integrations.backoff import BACKOFF


def point_at_the_sandbox(settings, **options) -> dict:
    """meetbridge's settings with `options`; nothing one test learnt about a provider (reused
    answers, pauses) reaches the next."""
    caches["freebusy"].clear()
    BACKOFF.clear()
    settings.MEETBRIDGE = {**settings.MEETBRIDGE, **options}
    return settings.MEETBRIDGE


@pytest.fixture
def google_settings(settings, sandbox):
    return point_at_the_sandbox(
        settings,
        GOOGLE_TOKEN_URI=sandbox.token_uri,
        GOOGLE_API_BASE=sandbox.url,
        GOOGLE_RETRY_BASE_SECONDS=0.01,
        GOOGLE_RETRY_MAX_SECONDS=0.05,
    )


@pytest.fixture
def microsoft_settings(settings, microsoft):
    return point_at_the_sandbox(
        settings,
        MICROSOFT_LOGIN_BASE=microsoft.login_base,
        MICROSOFT_GRAPH_BASE=microsoft.graph_base,
        MICROSOFT_CA_BUNDLE=microsoft.ca_path,
        MICROSOFT_RETRY_BASE_SECONDS=0.01,
        MICROSOFT_RETRY_MAX_SECONDS=0.05,
    )


class Jobs:
    """The huey queue of this test run, worked through in the calling thread."""

    def __init__(self, huey) -> None:
        self.huey = huey
        self.errors: list[BaseException] = []

    def _on_error(self, signal, task, exc=None) -> None:
        self.errors.append(exc)

    def flush(self) -> None:
        self.huey.flush()

    def queued(self) -> list[str]:
        return [task.name for task in self.huey.pending()]

    def scheduled(self) -> list[str]:
        return [task.name for task in self.huey.scheduled()]

    def run_due(self, now: datetime | None = None, limit: int = 200) -> list[str]:
        """Run every queued task and every scheduled one whose time has come by `now`.

        Returns the names of the tasks run, in order; re-raises the first task failure.
        """
        moment = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
        ran = []
        for _ in range(limit):
            for task in self.huey.read_schedule(moment):
                self.huey.enqueue(task)
            task = self.huey.dequeue()
            if task is None:
                break
            if task.eta is not None and task.eta > moment:
                self.huey.add_schedule(task)
                continue
            self.huey.execute(task, moment)
            ran.append(task.name)
            if self.errors:
                raise self.errors[0]
        return ran


@pytest.fixture
def jobs():
    queue = Jobs(HUEY)
    queue.flush()
    HUEY.signal(signals.SIGNAL_ERROR)(queue._on_error)
    yield queue
    HUEY.disconnect_signal(queue._on_error, signals.SIGNAL_ERROR)
    queue.flush()


@pytest.fixture
def workspace(sandbox, tenant, admin, member):
    return sandbox.quick_setup(tenant.domain, [admin.email, member.email])


@pytest.fixture
def connected(google_settings, tenant, admin, workspace):
    credential = connection.save_key(
        tenant=tenant, actor=admin, provider="google", raw_key=workspace.key
    )
    result = verification.check_credential(credential.id, credential.check_round)
    assert result is not None and result.status == "verified", result
    return workspace
