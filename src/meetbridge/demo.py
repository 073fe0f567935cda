"""Local mode's demo: a Google Workspace in the sandbox and the same organisation in meetbridge.

Google's side (the sandbox) lives in memory and starts empty with every `meetbridge run`, while
meetbridge's database persists under var/. Each start therefore builds Google's side afresh —
the Workspace, its people and two weeks of their meetings, a Cloud project with a service
account and a new key written to var/ — with delegation not yet authorised, so the three setup
steps are always there to walk. A demo integration saved in an earlier run named a service
account that no longer exists, and its meetings were on calendars that no longer exist, so both
are removed (audited) and the admin connects again with the new key. People, their calendar
access and the audit log are kept.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from meetbridge import demo_week
from meetbridge.demo_week import DOMAIN, PEOPLE, TENANT_SLUG

DEMO_PASSWORD = "demo-password-1"  # local mode only; production never seeds
KEY_FILE_NAME = "demo-service-account-key.json"
# In the sandbox's Workspace but not yet in meetbridge: the colleague the admin invites.
NEWCOMER = "fay@northwind.test"
# A personal Google account outside every Workspace: Sign in with Google refuses it.
OUTSIDER = "sam.rivera@gmail.test"
SIGN_IN_PATH = "/sign-in/google/callback"
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"


@dataclass(frozen=True)
class SignIn:
    email: str
    password: str
    note: str


@dataclass(frozen=True)
class DemoInfo:
    sign_ins: list[SignIn]
    key_path: Path
    console_url: str
    domain: str
    client_id: str
    scope: str
    forgot_earlier_run: bool


def demo_sign_ins() -> list[SignIn]:
    """The sign-ins to suggest, when the demo organisation exists in this database."""
    from meetbridge.tenants.models import Tenant

    if not Tenant.objects.filter(slug=TENANT_SLUG, domain=DOMAIN).exists():
        return []
    return [SignIn(p.email, DEMO_PASSWORD, p.sign_in_note) for p in PEOPLE if p.sign_in_note]


def seed_sandbox(sandbox_url: str, *, today: date | None = None):
    """Google's side: the Workspace and calendars, a project, a service account and its key."""
    from workspace_sandbox.client import Sandbox

    sandbox = Sandbox(sandbox_url)
    sandbox.create_workspace(DOMAIN, [], time_zone=demo_week.TENANT_ZONE)
    for person in PEOPLE:
        sandbox.add_user(DOMAIN, person.email, time_zone=person.time_zone)
    sandbox.add_user(DOMAIN, NEWCOMER, time_zone=demo_week.TENANT_ZONE)
    sandbox.add_consumer_account(OUTSIDER)
    for event, body in demo_week.calendar_plan(today or date.today()):
        sandbox.seed_event(event.organizer.email, body)
    sandbox.create_project(demo_week.PROJECT_ID)
    account = sandbox.create_service_account(demo_week.PROJECT_ID, demo_week.SERVICE_ACCOUNT_NAME)
    key = sandbox.create_key(account["client_email"])
    return account, key


def write_key_file(var_dir: Path, key: dict) -> Path:
    """The key file as the Cloud console downloads it, readable by its owner only."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / KEY_FILE_NAME
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(key, handle, indent=2)
    return path


def seed_meetbridge() -> bool:
    """meetbridge's side: the organisation, its people and the consents some already gave.

    Returns whether the integration or meetings of an earlier run were removed.
    """
    from meetbridge.tenants.models import Person, Tenant
    from meetbridge.tenants.service import add_person, create_tenant

    tenant = Tenant.objects.filter(slug=TENANT_SLUG).first() or create_tenant(
        slug=TENANT_SLUG,
        name=demo_week.TENANT_NAME,
        domain=DOMAIN,
        time_zone=demo_week.TENANT_ZONE,
    )
    for person in PEOPLE:
        if Person.objects.filter(email=person.email).exists():
            continue
        created = add_person(
            tenant=tenant,
            email=person.email,
            name=person.name,
            admin=person.admin,
            password=DEMO_PASSWORD,
        )
        if person.granted:  # as if they had granted it on the Calendar access page
            _grant(created, person)
    _forget_sandbox_accounts(tenant)
    return _forget_the_previous_sandbox(tenant)


def _forget_sandbox_accounts(tenant) -> None:
    """The sandbox's Google and Microsoft accounts are new at every start, each with a new
    `sub` (Google) or directory and object id (Microsoft); links to the accounts of an earlier
    run would make the people look like re-created accounts."""
    from meetbridge.tenants.models import Identity

    Identity.objects.filter(person__tenant=tenant, provider__in=("google", "microsoft")).delete()


def register_sign_in_client(sandbox_url: str, port: int) -> dict:
    """Local mode's OAuth client for Sign in with Google, registered with the sandbox for the
    addresses a browser may use to reach this server."""
    from workspace_sandbox.client import Sandbox

    return Sandbox(sandbox_url).register_oauth_client(
        [f"http://{host}:{port}{SIGN_IN_PATH}" for host in ("localhost", "127.0.0.1")]
    )


def _grant(created, person: demo_week.DemoPerson) -> None:
    from meetbridge.scheduling import consent

    consent.grant(created, time_zone=person.time_zone, working_hours=person.working_hours())


def _forget_the_previous_sandbox(tenant) -> bool:
    """The sandbox restarted empty: a key saved in an earlier run names a service account that
    no longer exists, and meetings booked then are on calendars that no longer exist."""
    from meetbridge.audit.models import AuditEvent
    from meetbridge.audit.service import record
    from meetbridge.integrations import connection, status
    from meetbridge.meetings.models import Booking

    bookings = Booking.objects.filter(tenant=tenant)
    connected = status.integration_of(tenant) is not None
    if not connected and not bookings.exists():
        return False
    record(
        tenant=tenant,
        kind=AuditEvent.Kind.INTEGRATION_CHANGE,
        operation="demo.sandbox_restarted",
        actor_email="meetbridge run (local demo)",
        detail="The local sandbox starts empty: the key saved and the meetings booked in an "
        "earlier run are removed.",
    )
    bookings.delete()
    if connected:
        connection.disconnect(tenant=tenant, actor=None)
    return True


def seed_demo(*, sandbox_url: str, var_dir: Path | None = None) -> DemoInfo:
    from django.conf import settings

    var_dir = var_dir or settings.CONFIG.var_dir
    account, key = seed_sandbox(sandbox_url)
    key_path = write_key_file(var_dir, key)
    disconnected = seed_meetbridge()
    return DemoInfo(
        sign_ins=demo_sign_ins(),
        key_path=key_path,
        console_url=sandbox_url.rstrip("/") + "/",
        domain=DOMAIN,
        client_id=account["client_id"],
        scope=CALENDAR_SCOPE,
        forgot_earlier_run=disconnected,
    )


def welcome(url: str, info: DemoInfo, *, cwd: Path | None = None) -> str:
    """What `meetbridge run` prints in local mode: where to go, who to be, what to do."""
    key = _shown_path(info.key_path, cwd or Path.cwd())
    admin, member = info.sign_ins[0], info.sign_ins[1]
    lines = [
        f"Demo organisation: {demo_week.TENANT_NAME}, Workspace domain {info.domain}.",
        f'Sign in at {url}/sign-in with "Sign in with Google": the sandbox\'s account chooser',
        "lists the Workspace's people; click an address. Or type one with the password "
        f"{DEMO_PASSWORD}:",
        *(f"  {s.email:<24} {s.note}" for s in info.sign_ins),
        "",
        "From nothing to a booked meeting, about five minutes:",
        f"  1. Sign in as {admin.email}, open Integrations, and upload (or paste) the demo",
        f"     service account's key file: {key}",
        "     meetbridge checks it and explains that domain-wide delegation is not authorised",
        "     yet, showing the client id to authorise.",
        f"  2. Open the Google Workspace sandbox console: {info.console_url}",
        f"     Authorise delegation for {info.domain}: client id {info.client_id},",
        f"     scope {info.scope}",
        "  3. Back on Integrations, watch the status turn to Verified (or press Check again).",
        f"  4. Sign out, sign in as {member.email}, open Find a time, pick Chloé Martin (Paris),",
        "     choose a slot and book it: it is on the Meetings page, and on both calendars in the",
        "     sandbox console (click a user's address). Decline it there as Chloé, reload",
        "     Meetings, and her answer shows.",
        f"  5. As {admin.email}, open Members and invite {NEWCOMER}. Open the Mail page",
        f"     ({url}/local/mail), follow the link in the invitation, choose Sign in with Google",
        f"     and pick {NEWCOMER}: she is a member.",
    ]
    if info.forgot_earlier_run:
        lines += [
            "",
            "Note: the sandbox keeps Google's side in memory and starts empty every time, so the key",
            "saved and the meetings booked in the last run were removed. Walk the steps again with",
            "the new key file (people, their calendar access and the audit log are kept).",
        ]
    return "\n".join(lines)


def _shown_path(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)
