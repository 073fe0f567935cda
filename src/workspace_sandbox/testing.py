"""pytest fixtures: one sandbox server per test session, its state wiped before each test.

Enable with `pytest_plugins = ["workspace_sandbox.testing"]` in a conftest, then ask for the
`sandbox` fixture (a `workspace_sandbox.client.Sandbox`).
"""

from __future__ import annotations

import pytest

from .client import Sandbox, Setup
from .server import start_in_thread

__all__ = ["Sandbox", "Setup", "sandbox", "sandbox_server"]


@pytest.fixture(scope="session")
def sandbox_server():
    running = start_in_thread("127.0.0.1", 0)
    yield running
    running.stop()


@pytest.fixture
def sandbox(sandbox_server) -> Sandbox:
    client = Sandbox(sandbox_server.url)
    client.reset()
    yield client
    client.reset()
