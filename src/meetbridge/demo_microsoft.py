"""Local mode's Microsoft 365 demo: the demo organisation as a Microsoft 365 directory too.

The sandbox's Microsoft stand-in starts empty with every `meetbridge run`, like its Google side,
so each start builds it afresh: a directory for the demo domain with a mailbox per demo person
and their timed meetings of the two weeks, and an app registration with a certificate and a
client secret written to var/ — but no admin consent yet, so the Entra steps (consent, an
optional access policy) are there to walk from the sandbox console or its control API. A tenant
admin can then switch the demo organisation to Microsoft 365 on the Integrations page with the
values in that file. The Google demo is untouched.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from meetbridge import demo_week
from meetbridge.demo_week import DOMAIN, PEOPLE

APP_FILE_NAME = "demo-microsoft-app.json"  # certificate: what to paste on the Integrations page
SECRET_FILE_NAME = "demo-microsoft-secret.json"  # the same app with a client secret instead
APP_NAME = "meetbridge demo"
OPERATOR_DOMAIN = "operator.meetbridge.test"  # the operator's own directory, for sign-in
SIGN_IN_PATH = "/sign-in/microsoft/callback"


@dataclass(frozen=True)
class MicrosoftDemo:
    tenant_id: str
    client_id: str
    app_path: Path
    secret_path: Path
    consent_url: str  # PUT here {"roles": ["Calendars.ReadWrite"]} to grant admin consent


def graph_event(body: dict) -> dict | None:
    """A demo event (Calendar API shape) as Graph takes it; None for what the stand-in does not
    model (all-day and recurring events)."""
    if "dateTime" not in body["start"] or body.get("recurrence"):
        return None
    zone = body["start"]["timeZone"]

    def local(value: dict) -> dict:
        moment = datetime.fromisoformat(value["dateTime"]).replace(tzinfo=None)
        return {"dateTime": moment.isoformat(), "timeZone": zone}

    return {
        "subject": body.get("summary", ""),
        "start": local(body["start"]),
        "end": local(body["end"]),
        "showAs": "free" if body.get("transparency") == "transparent" else "busy",
        "attendees": [
            {"emailAddress": {"address": a["email"]}, "type": "required"}
            for a in body.get("attendees", [])
            if not a.get("organizer")
        ],
    }


def _answers(body: dict) -> list[tuple[str, str]]:
    return [
        (a["email"], a["responseStatus"])
        for a in body.get("attendees", [])
        if not a.get("organizer") and a.get("responseStatus") in ("accepted", "declined")
    ]


def write_app_file(var_dir: Path, values: dict, name: str = APP_FILE_NAME) -> Path:
    """The app's values, as an admin would copy them from the Entra admin center; owner-only."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / name
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(values, handle, indent=2)
    return path


def register_sign_in_app(sandbox_url: str, port: int) -> dict:
    """Local mode's app registration for Sign in with Microsoft: multi-tenant, in a directory
    of its own (as an operator's would be), redirecting to this server. It admits people of
    the demo directory once the demo organisation is switched to Microsoft 365."""
    from workspace_sandbox.microsoft.client import MicrosoftSandbox

    microsoft = MicrosoftSandbox(sandbox_url)
    operator = microsoft.create_tenant(OPERATOR_DOMAIN)
    return microsoft.sign_in_app(
        operator["tenant_id"],
        [f"http://{host}:{port}{SIGN_IN_PATH}" for host in ("localhost", "127.0.0.1")],
    )


def seed_microsoft_demo(
    sandbox_url: str, var_dir: Path, *, today: date | None = None
) -> MicrosoftDemo:
    from workspace_sandbox.microsoft.client import MicrosoftSandbox

    microsoft = MicrosoftSandbox(sandbox_url)
    tenant = microsoft.create_tenant(DOMAIN, [], time_zone=demo_week.TENANT_ZONE)
    for person in PEOPLE:
        microsoft.add_user(tenant["tenant_id"], person.email, time_zone=person.time_zone)
    for event, body in demo_week.calendar_plan(today or date.today()):
        graph = graph_event(body)
        if graph is None:
            continue
        made = microsoft.seed_event(event.organizer.email, graph)
        for email, answer in _answers(body):
            microsoft.respond(email, made["id"], answer)
    app = microsoft.create_app(tenant["tenant_id"], APP_NAME)
    certificate = microsoft.add_certificate(app["client_id"], expires_in_days=365)
    secret = microsoft.add_secret(app["client_id"], expires_in_days=180)
    base = {"tenant_id": tenant["tenant_id"], "client_id": app["client_id"]}
    app_path = write_app_file(
        var_dir,
        {
            **base,
            "certificate": certificate["certificate"],
            "private_key": certificate["private_key"],
        },
    )
    secret_path = write_app_file(
        var_dir,
        {**base, "client_secret": secret["secret"], "expires_at": secret["expires_at"]},
        SECRET_FILE_NAME,
    )
    return MicrosoftDemo(
        tenant_id=tenant["tenant_id"],
        client_id=app["client_id"],
        app_path=app_path,
        secret_path=secret_path,
        consent_url=f"{microsoft.url}/_sandbox/v1/microsoft/tenants/{tenant['tenant_id']}"
        f"/consent/{app['client_id']}",
    )
