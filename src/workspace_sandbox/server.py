"""Serving the sandbox: in the foreground (`meetbridge sandbox`) or in a thread.

The same app answers on two ports: plain HTTP (Google's routes, the control API, the console)
and HTTPS (the Microsoft routes need it: msal accepts only `https` authorities), with a
certificate from the sandbox's own certificate authority.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import calendar_api, console, control, oidc
from .faults import FaultInjection, is_microsoft_route, microsoft_error_for
from .google_errors import backend_error
from .microsoft import console as microsoft_console
from .microsoft import control as microsoft_control
from .microsoft import graph as microsoft_graph
from .microsoft import login as microsoft_login
from .microsoft import sign_in as microsoft_sign_in
from .microsoft import sign_in_control as microsoft_sign_in_control
from .microsoft.tls import TlsFiles, ensure_tls
from .state import World
from .tokens import token_endpoint


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # A bug in the sandbox looks like a backend failure of the service it stands in for,
    # never like a stack trace.
    if is_microsoft_route(request.url.path):
        return JSONResponse(microsoft_error_for(request.url.path, 500)[0], status_code=500)
    return JSONResponse(backend_error(500).body(), status_code=500)


async def tls_info(request: Request) -> JSONResponse:
    info = getattr(request.app.state, "tls", None)
    if info is None:
        return JSONResponse(
            {"error": {"code": "no_https", "message": "This sandbox serves no HTTPS port."}},
            status_code=404,
        )
    return JSONResponse(info)


def create_app(world: World | None = None) -> Starlette:
    world = world or World()
    app = Starlette(
        routes=[
            Route("/token", token_endpoint, methods=["POST"]),
            *calendar_api.routes,
            *oidc.routes,
            *microsoft_login.routes,
            *microsoft_sign_in.routes,
            *microsoft_graph.routes,
            Route("/_sandbox/v1/tls", tls_info, methods=["GET"]),
            *control.routes,
            *microsoft_control.routes,
            *microsoft_sign_in_control.routes,
            *console.routes,
            *microsoft_console.routes,
        ],
        middleware=[Middleware(FaultInjection, world=world)],
        exception_handlers={Exception: _unexpected},
    )
    app.state.world = world
    app.state.tls = None
    return app


@dataclass
class RunningSandbox:
    url: str
    server: uvicorn.Server
    thread: threading.Thread
    https_url: str | None = None
    ca_path: Path | None = None
    extra: list[tuple[uvicorn.Server, threading.Thread]] = field(default_factory=list)

    @property
    def microsoft_login_base(self) -> str:
        return f"{self.https_url}/microsoft/login"

    @property
    def microsoft_graph_base(self) -> str:
        return f"{self.https_url}/microsoft/graph"

    def stop(self) -> None:
        for server, _ in [(self.server, self.thread), *self.extra]:
            server.should_exit = True
        for _, thread in [(self.server, self.thread), *self.extra]:
            thread.join(timeout=5)


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def default_state_dir() -> Path:
    return Path(os.environ.get("MEETBRIDGE_VAR_DIR", "var")).resolve() / "sandbox"


def _start(config: uvicorn.Config, name: str) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"The sandbox could not start on {config.host}:{config.port}.")
        time.sleep(0.02)
    return server, thread


def _tls_config(app, host: str, port: int, files: TlsFiles) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        ssl_certfile=str(files.cert_path),
        ssl_keyfile=str(files.key_path),
    )


def _announce_tls(app, host: str, port: int, files: TlsFiles) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    https_url = f"https://{shown}:{port}"
    app.state.tls = {
        "https_url": https_url,
        "ca_certificate": files.ca_certificate,
        "microsoft_login_base": f"{https_url}/microsoft/login",
        "microsoft_graph_base": f"{https_url}/microsoft/graph",
    }
    return https_url


def start_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    app=None,
    *,
    https_port: int = 0,
    state_dir: Path | str | None = None,
) -> RunningSandbox:
    """Plain HTTP on `port` and HTTPS on `https_port` (0: free ports)."""
    app = app or create_app()
    # HTTPS first: once the plain port answers its health check, everything is ready,
    # the TLS details included (making the certificate authority can take a while).
    files = ensure_tls(state_dir or default_state_dir())
    https_port = https_port or _free_port(host)
    tls_server, tls_thread = _start(
        _tls_config(app, host, https_port, files), "workspace-sandbox-https"
    )
    https_url = _announce_tls(app, host, https_port, files)
    port = port or _free_port(host)
    server, thread = _start(
        uvicorn.Config(app, host=host, port=port, log_level="warning"), "workspace-sandbox"
    )
    return RunningSandbox(
        url=f"http://{host}:{port}",
        server=server,
        thread=thread,
        https_url=https_url,
        ca_path=files.ca_path,
        extra=[(tls_server, tls_thread)],
    )


def serve(
    host: str = "127.0.0.1",
    port: int = 8001,
    https_port: int = 0,
    state_dir: Path | str | None = None,
) -> None:
    running = start_in_thread(host, port, https_port=https_port, state_dir=state_dir)
    print(f"Google Workspace sandbox at {running.url}/", flush=True)
    print(
        f"Microsoft 365 stand-in at {running.https_url}/microsoft/ "
        f"(certificate authority: {running.ca_path})",
        flush=True,
    )
    try:
        while running.thread.is_alive():
            running.thread.join(timeout=1)
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
