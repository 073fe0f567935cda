"""The `meetbridge` command line (also `python -m meetbridge`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from meetbridge.config import ConfigError, load_config


class CommandError(Exception):
    """A command could not do what was asked; the message says what to fix."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetbridge.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup_django()
    _migrate(verbosity=1)
    return 0


def cmd_createtenant(args: argparse.Namespace) -> int:
    _setup_django()
    from meetbridge.tenants.service import create_tenant

    tenant = create_tenant(
        slug=args.slug, name=args.name, domain=args.domain, time_zone=args.time_zone
    )
    print(f"Created tenant {tenant.slug} ({tenant.name}) for @{tenant.domain}.")
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    if not args.password_stdin:
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CommandError("--password-stdin was given but standard input held no password.")
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from meetbridge.tenants.models import Person

    # The person does not exist yet: an unsaved one lets the validators compare the
    # password with their address and name.
    someone = Person(email=args.email.strip().lower(), name=args.name or "")
    try:
        validate_password(password, user=someone)
    except ValidationError as exc:
        raise CommandError("That password is too weak: " + " ".join(exc.messages)) from exc
    return password


def cmd_adduser(args: argparse.Namespace) -> int:
    _setup_django()
    from meetbridge.tenants.service import add_person, get_tenant

    tenant = get_tenant(args.slug)
    password = _read_password(args)
    person = add_person(
        tenant=tenant, email=args.email, name=args.name or "", admin=args.admin, password=password
    )
    role = "tenant admin" if person.is_tenant_admin else "member"
    print(f"Added {person.email} to {tenant.slug} as {role}.")
    if password is None:
        print(
            "No password set: they sign in with Google, or set one with 'Forgot your password?' "
            "on the sign-in page (or give --password-stdin). API tokens work without."
        )
    return 0


def cmd_apitoken(args: argparse.Namespace) -> int:
    _setup_django()
    from meetbridge.tenants.service import issue_api_token

    print(issue_api_token(args.email))
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("run_huey", workers=args.workers, worker_type="thread")
    return 0


def cmd_rotatekeys(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("rotate_encryption_keys")
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    from workspace_sandbox.server import serve

    serve(host=args.host, port=args.port, https_port=args.https_port, state_dir=args.state_dir)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from meetbridge.runner import run

    run(host=args.host, port=args.port, processes=args.processes, threads=args.threads)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="meetbridge",
        description="Book meetings with colleagues on your organisation's calendars.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="serve the pages, the API and the background worker")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument(
        "--processes", type=int, default=None, help="web server processes (default: one per core)"
    )
    run.add_argument(
        "--threads", type=int, default=32, help="request threads per process (default: 32)"
    )
    run.set_defaults(func=cmd_run)

    worker = sub.add_parser("worker", help="run background workers alone")
    worker.add_argument("--workers", type=int, default=4)
    worker.set_defaults(func=cmd_worker)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)

    tenant = sub.add_parser("createtenant", help="create a tenant (an organisation)")
    tenant.add_argument("slug")
    tenant.add_argument("--name", required=True)
    tenant.add_argument("--domain", required=True, help="its Google Workspace domain")
    tenant.add_argument("--time-zone", default="UTC", help="IANA zone, default UTC")
    tenant.set_defaults(func=cmd_createtenant)

    user = sub.add_parser("adduser", help="add a person to a tenant")
    user.add_argument("slug")
    user.add_argument("email")
    user.add_argument("--admin", action="store_true", help="make a tenant admin")
    user.add_argument("--name")
    user.add_argument(
        "--password-stdin", action="store_true", help="read a sign-in password from stdin"
    )
    user.set_defaults(func=cmd_adduser)

    token = sub.add_parser("apitoken", help="create an API token and print it")
    token.add_argument("email")
    token.set_defaults(func=cmd_apitoken)

    sub.add_parser(
        "rotatekeys",
        help="re-encrypt stored Google keys with the newest of MEETBRIDGE_ENCRYPTION_KEYS",
    ).set_defaults(func=cmd_rotatekeys)

    sandbox = sub.add_parser(
        "sandbox", help="serve the Google Workspace and Microsoft 365 sandbox alone"
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8001)
    sandbox.add_argument(
        "--https-port",
        type=int,
        default=0,
        help="HTTPS port of the Microsoft routes (default: free)",
    )
    sandbox.add_argument(
        "--state-dir",
        default=None,
        help="where its certificate authority is kept (default var/sandbox)",
    )
    sandbox.set_defaults(func=cmd_sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from meetbridge.tenants.rules import RuleViolation

    try:
        if args.command not in ("sandbox",):
            load_config()  # fail early, with a readable message, on a bad environment
        return args.func(args)
    except (ConfigError, CommandError, RuleViolation) as exc:
        print(f"meetbridge {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
