"""pytest fixtures: one sandbox server per test session, its state wiped before each test.

Enable with `pytest_plugins = ["workspace_sandbox.testing"]` in a conftest, then ask for the
`sandbox` fixture (a `workspace_sandbox.client.Sandbox`) or, for the Microsoft 365 stand-in,
`microsoft` (a `workspace_sandbox.microsoft.client.MicrosoftSandbox`; its `ca_path` is the
certificate authority to trust, `login_base` and `graph_base` the two bases).
"""

from __future__ import annotations

import pytest

from .client import Sandbox, Setup
from .microsoft.client import MicrosoftSandbox, MicrosoftSetup
from .server import start_in_thread

__all__ = [
    "MicrosoftSandbox",
    "MicrosoftSetup",
    "Sandbox",
    "Setup",
    "microsoft",
    "sandbox",
    "sandbox_server",
]


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory):
    running = start_in_thread("127.0.0.1", 0, state_dir=tmp_path_factory.mktemp("sandbox-state"))
    yield running
    running.stop()


@pytest.fixture
def sandbox(sandbox_server) -> Sandbox:
    client = Sandbox(sandbox_server.url)
    client.reset()
    yield client
    client.reset()


@pytest.fixture
def microsoft(sandbox, sandbox_server) -> MicrosoftSandbox:
    """The Microsoft 365 stand-in of the same (freshly reset) sandbox."""
    return MicrosoftSandbox(sandbox_server.url, ca_dir=sandbox_server.ca_path.parent)
