"""Serving the sandbox: in the foreground (`meetbridge sandbox`) or in a thread."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import calendar_api, console, control, oidc
from .faults import FaultInjection
from .google_errors import backend_error
from .state import World
from .tokens import token_endpoint


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # A bug in the sandbox looks like a Google backend failure, never like a stack trace.
    return JSONResponse(backend_error(500).body(), status_code=500)


def create_app(world: World | None = None) -> Starlette:
    world = world or World()
    app = Starlette(
        routes=[
            Route("/token", token_endpoint, methods=["POST"]),
            *calendar_api.routes,
            *oidc.routes,
            *control.routes,
            *console.routes,
        ],
        middleware=[Middleware(FaultInjection, world=world)],
        exception_handlers={Exception: _unexpected},
    )
    app.state.world = world
    return app


@dataclass
class RunningSandbox:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def start_in_thread(host: str = "127.0.0.1", port: int = 0, app=None) -> RunningSandbox:
    port = port or _free_port(host)
    config = uvicorn.Config(app or create_app(), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="workspace-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"The sandbox could not start on {host}:{port}.")
        time.sleep(0.02)
    return RunningSandbox(url=f"http://{host}:{port}", server=server, thread=thread)


def serve(host: str = "127.0.0.1", port: int = 8001) -> None:
    print(f"Google Workspace sandbox at http://{host}:{port}/", flush=True)
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
