"""Serving the sandbox: in the foreground (`meetbridge sandbox`) or in a thread."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


def create_app() -> Starlette:
    async def health(request):
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/_sandbox/v1/health", health)])


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
