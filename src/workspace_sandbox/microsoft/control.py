"""The control API under /_sandbox/v1/microsoft/: what an admin does in the Entra admin center
and Exchange Online PowerShell (directories, mailboxes, app registrations, secrets,
certificates, admin consent, application access policies), plus the clock, limits and mailbox
inspection for tests and demos.

Errors follow meetbridge's contract: `{"error": {"code": "snake_case", "message": "..."}}`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import re
import secrets
import string
import uuid
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..control import _DOMAIN, ControlError, _control, _email, _flag, _text
from . import events, times
from .errors import GraphError
from .login import thumbprints
from .state import KNOWN_ROLES, App, Certificate, Directory, Mailbox, Secret, Tenant, Timed

P = "/_sandbox/v1/microsoft"
MAX_DAYS = 3650
ONMICROSOFT = ".onmicrosoft.com"  # every Entra directory's initial domain ends so


def _directory(world) -> Directory:
    return world.microsoft


def _tenant(d: Directory, tenant_id: str) -> Tenant:
    tenant = d.tenant(tenant_id)
    if tenant is None:
        raise ControlError(404, "unknown_tenant", f"No Microsoft tenant {tenant_id!r}.")
    return tenant


def _app(d: Directory, client_id: str) -> App:
    app = d.apps.get(client_id.lower())
    if app is None:
        raise ControlError(404, "unknown_app", f"No app registration {client_id!r}.")
    return app


def _mailbox(d: Directory, email: str) -> tuple[Tenant, Mailbox]:
    found = d.mailbox_anywhere(unquote(email))
    if found is None:
        raise ControlError(404, "unknown_mailbox", f"{email!r} is not a sandbox mailbox.")
    return found


def _time_zone(body: dict) -> str:
    name = body.get("time_zone") or "UTC"
    try:
        times.zone(name)
    except ValueError as exc:
        raise ControlError(422, "invalid_time_zone", f"Unknown time zone {name!r}.") from exc
    return name


def _days(body: dict, name: str, default: float) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or abs(value) > MAX_DAYS:
        raise ControlError(422, "invalid_field", f"`{name}` must be a number of days.")
    return float(value)


def _seconds(body: dict) -> float:
    value = body.get("propagation_seconds", 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ControlError(422, "invalid_field", "`propagation_seconds` must be a number >= 0.")
    return float(value)


def _member(tenant: Tenant, value: str) -> str:
    email = _email(value)
    if not email.endswith("@" + tenant.domain):
        raise ControlError(422, "wrong_domain", f"{email} is not an address in {tenant.domain}.")
    return email


def _add_mailbox(tenant: Tenant, email: str, body: dict) -> Mailbox:
    mailbox = Mailbox(
        email=email,
        object_id=str(uuid.uuid4()),
        time_zone=_time_zone(body),
        licensed=body.get("licensed", True) is not False,
        teams=body.get("teams", True) is not False,
    )
    tenant.mailboxes[email] = mailbox
    return mailbox


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat().replace("+00:00", "Z")


def mailbox_json(m: Mailbox) -> dict:
    return {
        "email": m.email,
        "id": m.object_id,
        "time_zone": m.time_zone,
        "licensed": m.licensed,
        "teams": m.teams,
    }


def tenant_json(d: Directory, t: Tenant) -> dict:
    now = d.clock.now()
    return {
        "tenant_id": t.tenant_id,
        "domain": t.domain,
        "initial_domain": t.initial_domain,
        "users": [mailbox_json(m) for m in t.mailboxes.values()],
        "consents": {client_id: sorted(t.roles_of(client_id, now)) for client_id in t.consents},
        "access_policies": {
            client_id: (None if allowed is None else sorted(allowed))
            for client_id in t.policies
            for allowed in [t.allowed_for(client_id, now)]
        },
    }


def app_json(a: App) -> dict:
    return {
        "client_id": a.client_id,
        "name": a.name,
        "tenant_id": a.tenant_id,
        "disabled": a.disabled,
        "secrets": [
            {"id": s.id, "hint": s.hint, "expires_at": _iso(s.expires_at)}
            for s in a.secrets.values()
        ],
        "certificates": [
            {"id": c.id, "thumbprint": c.sha1, "expires_at": c.not_after.isoformat()}
            for c in a.certificates.values()
        ],
    }


@_control
def state(request, world, body):
    d = _directory(world)
    return JSONResponse(
        {
            "now": _iso(d.clock.now()),
            "tenants": [tenant_json(d, t) for t in d.tenants.values()],
            "apps": [app_json(a) for a in d.apps.values()],
            "limits": {
                "concurrent_requests": d.concurrent_requests,
                "requests_per_10_minutes": d.requests_per_window,
            },
            "in_flight": sum(d.in_flight.values()),
            "held": d.hold is not None,
        }
    )


def initial_domain_for(d: Directory, domain: str) -> str:
    """The directory's `<name>.onmicrosoft.com`: Entra's initial domains are letters and
    digits, at most 27, unique across directories (a number is added when taken)."""
    stem = re.sub(r"[^a-z0-9]", "", domain.split(".", 1)[0])[:25] or "directory"
    names = (f"{stem}{n if n > 1 else ''}{ONMICROSOFT}" for n in itertools.count(1))
    return next(name for name in names if d.tenant(name) is None)


@_control
def create_tenant(request, world, body):
    d = _directory(world)
    domain = _text(body, "domain").lower()
    if not _DOMAIN.fullmatch(domain):
        raise ControlError(422, "invalid_domain", f"{domain!r} is not a domain name.")
    if d.tenant(domain) is not None:
        raise ControlError(409, "tenant_exists", f"A tenant with domain {domain} already exists.")
    users = body.get("users") or []
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
        raise ControlError(422, "invalid_field", "`users` must be a list of email addresses.")
    tenant = Tenant(
        tenant_id=str(uuid.uuid4()), domain=domain, initial_domain=initial_domain_for(d, domain)
    )
    for email in [_member(tenant, u) for u in users]:
        _add_mailbox(tenant, email, body)
    d.tenants[tenant.tenant_id] = tenant
    return JSONResponse(tenant_json(d, tenant), status_code=201)


@_control
def add_user(request, world, body):
    d = _directory(world)
    tenant = _tenant(d, request.path_params["tenant_id"])
    email = _member(tenant, _text(body, "email"))
    if email in tenant.mailboxes:
        raise ControlError(409, "user_exists", f"{email} already exists.")
    return JSONResponse(mailbox_json(_add_mailbox(tenant, email, body)), status_code=201)


@_control
def remove_user(request, world, body):
    tenant = _tenant(_directory(world), request.path_params["tenant_id"])
    email = unquote(request.path_params["email"]).lower()
    if tenant.mailboxes.pop(email, None) is None:
        raise ControlError(404, "unknown_user", f"{email} is not a mailbox of {tenant.domain}.")
    return Response(status_code=204)


@_control
def change_mailbox(request, world, body):
    _, mailbox = _mailbox(_directory(world), request.path_params["email"])
    for name in ("licensed", "teams"):
        if name in body:
            setattr(mailbox, name, _flag(body, name))
    if "time_zone" in body:
        mailbox.time_zone = _time_zone(body)
    return JSONResponse(mailbox_json(mailbox))


@_control
def create_app(request, world, body):
    d = _directory(world)
    tenant = _tenant(d, request.path_params["tenant_id"])
    name = _text(body, "name")[:120]
    app = App(client_id=str(uuid.uuid4()), name=name, tenant_id=tenant.tenant_id)
    d.apps[app.client_id] = app
    return JSONResponse(app_json(app), status_code=201)


@_control
def change_app(request, world, body):
    app = _app(_directory(world), request.path_params["client_id"])
    app.disabled = _flag(body, "disabled")
    return JSONResponse(app_json(app))


def _new_secret_value() -> str:
    alphabet = string.ascii_letters + string.digits + "~._-"
    head = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(3))
    return head + "8Q~" + "".join(secrets.choice(alphabet) for _ in range(34))


@_control
def add_secret(request, world, body):
    d = _directory(world)
    app = _app(d, request.path_params["client_id"])
    days = _days(body, "expires_in_days", 180)
    value = _new_secret_value()
    secret = Secret(
        id=str(uuid.uuid4()),
        value=value,
        hint=value[:3],
        expires_at=d.clock.now() + days * 86400,
    )
    app.secrets[secret.id] = secret
    return JSONResponse(
        {"id": secret.id, "secret": value, "hint": secret.hint, "expires_at": _iso(secret.expires_at)},
        status_code=201,
    )  # fmt: skip


@_control
def delete_secret(request, world, body):
    app = _app(_directory(world), request.path_params["client_id"])
    if app.secrets.pop(request.path_params["secret_id"], None) is None:
        raise ControlError(404, "unknown_secret", "This app has no secret with that id.")
    return Response(status_code=204)


def issue_certificate(app: App, now: dt.datetime, days: float) -> tuple[Certificate, str, str]:
    """A self-signed certificate as `New-SelfSignedCertificate` makes one; its public half is
    registered on the app, the private key exists only in the answer."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, app.name[:64] or "app")])
    not_before = (now - dt.timedelta(minutes=5)).replace(microsecond=0)
    not_after = (now + dt.timedelta(days=days)).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(min(not_before, not_after - dt.timedelta(minutes=1)))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    sha1, sha256 = thumbprints(der)
    registered = Certificate(
        id=str(uuid.uuid4()),
        sha1=sha1,
        sha256=sha256,
        public_key_pem=key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return registered, cert.public_bytes(serialization.Encoding.PEM).decode(), private_pem


@_control
def add_certificate(request, world, body):
    d = _directory(world)
    app = _app(d, request.path_params["client_id"])
    days = _days(body, "expires_in_days", 365)
    registered, certificate, private_key = issue_certificate(app, d.moment(), days)
    app.certificates[registered.id] = registered
    return JSONResponse(
        {
            "id": registered.id,
            "certificate": certificate,
            "private_key": private_key,
            "thumbprint": registered.sha1,
            "thumbprint_sha256": registered.sha256,
            "expires_at": registered.not_after.isoformat().replace("+00:00", "Z"),
        },
        status_code=201,
    )


@_control
def delete_certificate(request, world, body):
    app = _app(_directory(world), request.path_params["client_id"])
    if app.certificates.pop(request.path_params["certificate_id"], None) is None:
        raise ControlError(404, "unknown_certificate", "This app has no certificate with that id.")
    return Response(status_code=204)


@_control
def grant_consent(request, world, body):
    d = _directory(world)
    tenant = _tenant(d, request.path_params["tenant_id"])
    app = _app(d, request.path_params["client_id"])
    roles = body.get("roles")
    if not isinstance(roles, list) or not roles or not all(isinstance(r, str) for r in roles):
        raise ControlError(422, "invalid_field", "`roles` must be a non-empty list of permissions.")
    unknown = sorted(set(roles) - KNOWN_ROLES)
    if unknown:
        raise ControlError(
            422, "unknown_permission", f"Unknown application permission: {', '.join(unknown)}."
        )
    effective = d.clock.now() + _seconds(body)
    tenant.consents[app.client_id].append(Timed(frozenset(roles), effective))
    return JSONResponse(
        {"client_id": app.client_id, "roles": sorted(roles), "effective_at": _iso(effective)}
    )


@_control
def revoke_consent(request, world, body):
    d = _directory(world)
    tenant = _tenant(d, request.path_params["tenant_id"])
    client_id = request.path_params["client_id"].lower()
    if not tenant.consents.get(client_id):
        raise ControlError(404, "unknown_consent", "That app has no admin consent in this tenant.")
    tenant.consents[client_id].append(Timed(frozenset(), d.clock.now()))
    return Response(status_code=204)


@_control
def set_access_policy(request, world, body):
    d = _directory(world)
    tenant = _tenant(d, request.path_params["tenant_id"])
    app = _app(d, request.path_params["client_id"])
    allowed = body.get("allowed")
    if not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed):
        raise ControlError(422, "invalid_field", "`allowed` must be a list of mailbox addresses.")
    emails = frozenset(_email(a) for a in allowed)
    effective = d.clock.now() + _seconds(body)
    tenant.policies[app.client_id].append(Timed(emails, effective))
    return JSONResponse(
        {"client_id": app.client_id, "allowed": sorted(emails), "effective_at": _iso(effective)}
    )


@_control
def remove_access_policy(request, world, body):
    d = _directory(world)
    tenant = _tenant(d, request.path_params["tenant_id"])
    client_id = request.path_params["client_id"].lower()
    if not tenant.policies.get(client_id):
        raise ControlError(404, "unknown_policy", "That app has no access policy in this tenant.")
    tenant.policies[client_id].append(Timed(None, d.clock.now() + _seconds(body)))
    return Response(status_code=204)


@_control
def set_limits(request, world, body):
    d = _directory(world)
    names = {"concurrent_requests": "concurrent_requests", "requests_per_10_minutes": "requests_per_window"}  # fmt: skip
    unknown = set(body) - set(names)
    if unknown:
        raise ControlError(422, "invalid_field", f"Unknown limits: {', '.join(sorted(unknown))}.")
    for name, attribute in names.items():
        if name in body:
            if isinstance(body[name], bool) or not isinstance(body[name], int) or body[name] < 1:
                raise ControlError(422, "invalid_field", f"`{name}` must be a positive integer.")
            setattr(d, attribute, body[name])
    d.recent.clear()
    return JSONResponse({"concurrent_requests": d.concurrent_requests, "requests_per_10_minutes": d.requests_per_window})  # fmt: skip


@_control
def set_hold(request, world, body):
    """Graph requests wait while held (after being counted in flight): lets a test fill the
    concurrency limit deterministically, then release everything at once."""
    d = _directory(world)
    held = _flag(body, "held")
    if held and d.hold is None:
        d.hold = asyncio.Event()
    elif not held and d.hold is not None:
        d.hold.set()
        d.hold = None
    return JSONResponse({"held": d.hold is not None, "in_flight": sum(d.in_flight.values())})


@_control
def mailbox_events(request, world, body):
    d = _directory(world)
    _, mailbox = _mailbox(d, request.path_params["email"])
    items = [events.view(e, mailbox.email, expand=[]) for e in d.events_of(mailbox.email)]
    return JSONResponse({"mailbox": mailbox.email, "items": items})


def _graph_call(action):
    try:
        return action()
    except GraphError as error:
        code = {404: "unknown_event", 400: "invalid_event"}.get(error.status, "refused")
        raise ControlError(
            error.status if error.status < 500 else 400, code, error.message
        ) from None


@_control
def seed_event(request, world, body):
    d = _directory(world)
    _, mailbox = _mailbox(d, request.path_params["email"])
    event, _ = _graph_call(lambda: events.create(d, mailbox, body, d.moment()))
    return JSONResponse(events.view(event, mailbox.email, expand=[]), status_code=201)


@_control
def respond(request, world, body):
    d = _directory(world)
    _, mailbox = _mailbox(d, request.path_params["email"])
    answer = _text(body, "response")

    def act():
        event = events.find(d, mailbox, request.path_params["event_id"])
        events.respond(event, mailbox, answer, d.moment())
        return event

    event = _graph_call(act)
    return JSONResponse(events.view(event, mailbox.email))


routes = [
    Route(f"{P}/state", state, methods=["GET"]),
    Route(f"{P}/tenants", create_tenant, methods=["POST"]),
    Route(f"{P}/tenants/{{tenant_id}}/users", add_user, methods=["POST"]),
    Route(f"{P}/tenants/{{tenant_id}}/users/{{email}}", remove_user, methods=["DELETE"]),
    Route(f"{P}/tenants/{{tenant_id}}/apps", create_app, methods=["POST"]),
    Route(f"{P}/tenants/{{tenant_id}}/consent/{{client_id}}", grant_consent, methods=["PUT"]),
    Route(f"{P}/tenants/{{tenant_id}}/consent/{{client_id}}", revoke_consent, methods=["DELETE"]),
    Route(
        f"{P}/tenants/{{tenant_id}}/access-policy/{{client_id}}", set_access_policy, methods=["PUT"]
    ),
    Route(
        f"{P}/tenants/{{tenant_id}}/access-policy/{{client_id}}",
        remove_access_policy,
        methods=["DELETE"],
    ),
    Route(f"{P}/apps/{{client_id}}", change_app, methods=["PUT"]),
    Route(f"{P}/apps/{{client_id}}/secrets", add_secret, methods=["POST"]),
    Route(f"{P}/apps/{{client_id}}/secrets/{{secret_id}}", delete_secret, methods=["DELETE"]),
    Route(f"{P}/apps/{{client_id}}/certificates", add_certificate, methods=["POST"]),
    Route(
        f"{P}/apps/{{client_id}}/certificates/{{certificate_id}}",
        delete_certificate,
        methods=["DELETE"],
    ),
    Route(f"{P}/limits", set_limits, methods=["PUT"]),
    Route(f"{P}/hold", set_hold, methods=["PUT"]),
    Route(f"{P}/mailboxes/{{email}}", change_mailbox, methods=["PUT"]),
    Route(f"{P}/mailboxes/{{email}}/events", mailbox_events, methods=["GET"]),
    Route(f"{P}/mailboxes/{{email}}/events", seed_event, methods=["POST"]),
    Route(f"{P}/mailboxes/{{email}}/events/{{event_id}}/respond", respond, methods=["POST"]),
]
