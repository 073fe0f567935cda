"""`meetbridge run`: the web server, the embedded worker and, in local mode, the sandbox.

The web is served like production: gunicorn with several processes (one per core by default)
of gthread workers, which share the SQLite file in WAL mode (or PostgreSQL). This process keeps
the sandbox and the job worker, and starts gunicorn beside it rather than forking itself: a
fork of a process running threads (the worker, the sandbox) copies their locks, not them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

THREADS_PER_PROCESS = 32


def default_processes() -> int:
    return max(1, os.cpu_count() or 1)


def gunicorn_command(host: str, port: int, processes: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "meetbridge.wsgi",
        "--worker-class=gthread",
        f"--workers={processes}",
        f"--threads={threads}",
        f"--bind={host}:{port}",
        "--backlog=512",
        "--graceful-timeout=20",
        "--log-level=warning",
    ]


def _stop(signum, frame) -> None:
    raise SystemExit(0)  # unwinds into the `finally` that stops gunicorn, the worker, the sandbox


def serve_with_gunicorn(host: str, port: int, processes: int, threads: int) -> None:
    server = subprocess.Popen(gunicorn_command(host, port, processes, threads))  # noqa: S603
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


def serve_with_waitress(host: str, port: int, threads: int) -> None:
    """Where gunicorn cannot run (Windows): one process of threads."""
    from waitress import serve

    from meetbridge.wsgi import application

    serve(application, host=host, port=port, threads=threads, ident="meetbridge", _quiet=True)


def run(
    *, host: str, port: int, processes: int | None = None, threads: int = THREADS_PER_PROCESS
) -> None:
    from meetbridge.config import load_config

    config = load_config()
    sandbox = None
    if config.is_local:
        from workspace_sandbox.server import start_in_thread

        sandbox_port = int(os.environ.get("MEETBRIDGE_SANDBOX_PORT", port + 1))
        sandbox = start_in_thread(
            host="127.0.0.1", port=sandbox_port, state_dir=config.var_dir / "sandbox"
        )
        os.environ["GOOGLE_TOKEN_URI"] = f"{sandbox.url}/token"
        os.environ["GOOGLE_API_BASE"] = sandbox.url
        if not os.environ.get("GOOGLE_OIDC_CLIENT_ID"):  # Sign in with Google, via the sandbox
            from meetbridge.demo import register_sign_in_client

            client = register_sign_in_client(sandbox.url, port)
            os.environ["GOOGLE_OIDC_CLIENT_ID"] = client["client_id"]
            os.environ["GOOGLE_OIDC_CLIENT_SECRET"] = client["client_secret"]
            os.environ["GOOGLE_OIDC_DISCOVERY_URL"] = (
                f"{sandbox.url}/.well-known/openid-configuration"
            )
        os.environ["MICROSOFT_LOGIN_BASE"] = sandbox.microsoft_login_base
        os.environ["MICROSOFT_GRAPH_BASE"] = sandbox.microsoft_graph_base
        os.environ["MICROSOFT_CA_BUNDLE"] = str(sandbox.ca_path)
        if not os.environ.get("MICROSOFT_OIDC_CLIENT_ID"):  # Sign in with Microsoft, likewise
            from meetbridge.demo_microsoft import register_sign_in_app

            app = register_sign_in_app(sandbox.url, port)
            os.environ["MICROSOFT_OIDC_CLIENT_ID"] = app["client_id"]
            os.environ["MICROSOFT_OIDC_CLIENT_SECRET"] = app["client_secret"]

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetbridge.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    demo = None
    if config.is_local:
        from meetbridge.demo import seed_demo

        demo = seed_demo(sandbox_url=sandbox.url, var_dir=config.var_dir)
        from meetbridge.demo_microsoft import seed_microsoft_demo

        microsoft_demo = seed_microsoft_demo(sandbox.url, config.var_dir)

    from meetbridge.jobs.embedded import start_embedded_worker

    consumer = start_embedded_worker()
    from meetbridge.jobs.tasks import heartbeat

    heartbeat()  # so /healthz shows the worker at once, not after the first minute

    url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}"  # noqa: S104
    print(f"\nmeetbridge is running at {url}/  (mode: {config.mode})", flush=True)
    if sandbox is not None:
        print(f"Google Workspace sandbox (stands in for Google): {sandbox.url}/", flush=True)
        print(
            f"Microsoft 365 stand-in: {sandbox.https_url}/microsoft/ (CA: {sandbox.ca_path})",
            flush=True,
        )
    if demo is not None:
        from meetbridge.demo import welcome

        print("\n" + welcome(url, demo) + "\n", flush=True)
        print(
            f"Microsoft 365 demo directory {microsoft_demo.tenant_id} (same people): paste "
            f"{microsoft_demo.app_path} (certificate) or {microsoft_demo.secret_path} (secret) "
            f"as a Microsoft 365 credential. Admin consent is not granted yet: grant it at "
            f"{sandbox.url}/console/microsoft. Once switched, the demo people can also use "
            "Sign in with Microsoft.\n",
            flush=True,
        )
    processes = processes or default_processes()
    print(f"Serving with {processes} processes x {threads} threads.", flush=True)
    print("Press Ctrl+C to stop.", flush=True)

    try:
        if os.name == "posix":
            serve_with_gunicorn(host, port, processes, threads)
        else:
            serve_with_waitress(host, port, threads)
    finally:
        consumer.stop(graceful=True)
        if sandbox is not None:
            sandbox.stop()
        sys.stdout.flush()
