"""The control API under /_sandbox/v1/: what the Cloud console and the Workspace admin console
do at Google (domains, users, projects, service accounts, keys, delegation, API switch), plus
fault injection, limits, a reset and calendar inspection for tests and demos.

Errors follow meetbridge's contract: `{"error": {"code": "snake_case", "message": "..."}}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import events, oidc
from .faults import Faults
from .google_errors import ApiError
from .ids import (
    new_client_id,
    new_oauth_client_id,
    new_oauth_client_secret,
    new_project_number,
)
from .keys import issue_key
from .state import Delegation, OAuthClient, Project, ServiceAccount, User, Workspace, World
from .timeutil import now, zone
from .tokens import KNOWN_SCOPES

_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")
_PROJECT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")
_ACCOUNT_NAME = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]")


class ControlError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _control(handler: Callable) -> Callable:
    async def endpoint(request: Request) -> Response:
        world: World = request.app.state.world
        try:
            body = await _body(request)
            return handler(request, world, body)
        except ControlError as error:
            return _error(error.status, error.code, error.message)
        except ApiError as error:
            code = re.sub(r"(?<!^)(?=[A-Z])", "_", error.reason).lower()
            return _error(error.status, code, error.message)

    return endpoint


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def _body(request: Request):
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise ControlError(400, "invalid_json", "The request body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise ControlError(400, "invalid_json", "The request body must be a JSON object.")
    return body


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ControlError(422, "invalid_field", f"`{name}` is required and must be a string.")
    return value.strip()


def _flag(body: dict, name: str) -> bool:
    value = body.get(name)
    if not isinstance(value, bool):
        raise ControlError(422, "invalid_field", f"`{name}` must be true or false.")
    return value


def _email(value: str) -> str:
    email = value.strip().lower()
    local, _, domain = email.partition("@")
    if not local or not _DOMAIN.fullmatch(domain):
        raise ControlError(422, "invalid_email", f"{value!r} is not an email address.")
    return email


def _time_zone(body: dict) -> str:
    name = body.get("time_zone") or "UTC"
    try:
        return zone(name).key
    except ValueError as exc:
        raise ControlError(422, "invalid_time_zone", f"Unknown IANA time zone {name!r}.") from exc


def _workspace(world: World, domain: str) -> Workspace:
    workspace = world.workspaces.get(domain.lower())
    if workspace is None:
        raise ControlError(
            404, "unknown_workspace", f"No Workspace domain {domain!r}; create it first."
        )
    return workspace


def _project(world: World, project_id: str) -> Project:
    project = world.projects.get(project_id)
    if project is None:
        raise ControlError(404, "unknown_project", f"No project {project_id!r}; create it first.")
    return project


def _account(world: World, client_email: str) -> ServiceAccount:
    account = world.service_accounts.get(client_email.lower())
    if account is None or account.deleted:
        raise ControlError(404, "unknown_service_account", f"No service account {client_email!r}.")
    return account


def _calendar_owner(world: World, email: str) -> str:
    if world.user(email) is None:
        raise ControlError(
            404, "unknown_user", f"{email!r} is not a user of any sandbox Workspace."
        )
    return email.lower()


# --- state --------------------------------------------------------------------------------


def workspace_json(workspace: Workspace) -> dict:
    return {
        "domain": workspace.domain,
        "users": [{"email": u.email, "time_zone": u.time_zone} for u in workspace.users.values()],
        "delegations": [
            {"client_id": d.client_id, "scopes": sorted(d.scopes)}
            for d in workspace.delegations.values()
        ],
    }


def project_json(project: Project) -> dict:
    return {
        "project_id": project.project_id,
        "project_number": project.number,
        "calendar_api_enabled": project.calendar_api_enabled,
    }


def account_json(account: ServiceAccount) -> dict:
    return {
        "client_email": account.client_email,
        "client_id": account.client_id,
        "project_id": account.project_id,
        "name": account.name,
        "private_key_ids": sorted(account.public_keys),
        "disabled": account.disabled,
        "deleted": account.deleted,
    }


def limits_json(world: World) -> dict:
    return {
        "user_requests_per_minute": world.user_requests_per_minute,
        "project_requests_per_minute": world.project_requests_per_minute,
        "user_changes_per_day": world.user_changes_per_day,
    }


@_control
def health(request, world, body):
    return JSONResponse({"status": "ok"})


@_control
def reset(request, world, body):
    world.reset()
    return Response(status_code=204)


@_control
def state(request, world, body):
    return JSONResponse(
        {
            "workspaces": [workspace_json(w) for w in world.workspaces.values()],
            "projects": [project_json(p) for p in world.projects.values()],
            "service_accounts": [account_json(a) for a in world.service_accounts.values()],
            "faults": world.faults.to_json(),
            "limits": limits_json(world),
        }
    )


# --- Workspace admin console --------------------------------------------------------------


@_control
def create_workspace(request, world, body):
    domain = _text(body, "domain").lower()
    if not _DOMAIN.fullmatch(domain):
        raise ControlError(422, "invalid_domain", f"{domain!r} is not a domain name.")
    if domain in world.workspaces:
        raise ControlError(
            409, "workspace_exists", f"The Workspace domain {domain} already exists."
        )
    users = body.get("users") or []
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
        raise ControlError(422, "invalid_field", "`users` must be a list of email addresses.")
    time_zone = _time_zone(body)
    emails = [_member_email(domain, u) for u in users]
    workspace = Workspace(domain=domain)
    for email in emails:
        workspace.users[email] = User(email=email, time_zone=time_zone)
    world.workspaces[domain] = workspace
    return JSONResponse(workspace_json(workspace), status_code=201)


def _member_email(domain: str, value: str) -> str:
    email = _email(value)
    if not email.endswith("@" + domain):
        raise ControlError(422, "wrong_domain", f"{email} is not an address in {domain}.")
    return email


@_control
def add_user(request, world, body):
    workspace = _workspace(world, request.path_params["domain"])
    email = _member_email(workspace.domain, _text(body, "email"))
    if email in workspace.users:
        raise ControlError(409, "user_exists", f"{email} already exists.")
    workspace.users[email] = User(email=email, time_zone=_time_zone(body))
    return JSONResponse(
        {"email": email, "time_zone": workspace.users[email].time_zone}, status_code=201
    )


@_control
def remove_user(request, world, body):
    workspace = _workspace(world, request.path_params["domain"])
    email = request.path_params["email"].lower()
    if workspace.users.pop(email, None) is None:
        raise ControlError(404, "unknown_user", f"{email} is not a user of {workspace.domain}.")
    return Response(status_code=204)


@_control
def grant_delegation(request, world, body):
    workspace = _workspace(world, request.path_params["domain"])
    client_id = request.path_params["client_id"]
    if not client_id.isdigit():
        raise ControlError(
            422, "invalid_client_id", "A client id is the service account's numeric id."
        )
    scopes = body.get("scopes")
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) for s in scopes):
        raise ControlError(
            422, "invalid_field", "`scopes` must be a non-empty list of OAuth scopes."
        )
    unknown = sorted({s.strip() for s in scopes} - KNOWN_SCOPES)
    if unknown:
        raise ControlError(422, "unknown_scope", f"Unknown OAuth scope: {', '.join(unknown)}.")
    delay = body.get("propagation_seconds", 0)
    if not isinstance(delay, int | float) or delay < 0:
        raise ControlError(422, "invalid_field", "`propagation_seconds` must be a number >= 0.")
    workspace.delegations[client_id] = Delegation(
        client_id=client_id,
        scopes=frozenset(s.strip() for s in scopes),
        effective_at=world.clock.now() + delay,
    )
    return JSONResponse(
        {"client_id": client_id, "scopes": sorted(workspace.delegations[client_id].scopes)}
    )


@_control
def revoke_delegation(request, world, body):
    workspace = _workspace(world, request.path_params["domain"])
    if workspace.delegations.pop(request.path_params["client_id"], None) is None:
        raise ControlError(
            404, "unknown_delegation", "That client id has no delegation in this domain."
        )
    return Response(status_code=204)


# --- Cloud console ------------------------------------------------------------------------


@_control
def create_project(request, world, body):
    project_id = _text(body, "project_id")
    if not _PROJECT_ID.fullmatch(project_id):
        raise ControlError(
            422,
            "invalid_project_id",
            "A project id is 6 to 30 lower-case letters, digits or hyphens, starting with a letter.",
        )
    if project_id in world.projects:
        raise ControlError(409, "project_exists", f"The project {project_id} already exists.")
    world.projects[project_id] = Project(project_id=project_id, number=new_project_number())
    return JSONResponse(project_json(world.projects[project_id]), status_code=201)


@_control
def set_calendar_api(request, world, body):
    project = _project(world, request.path_params["project_id"])
    project.calendar_api_enabled = _flag(body, "enabled")
    return JSONResponse(project_json(project))


@_control
def create_service_account(request, world, body):
    project = _project(world, request.path_params["project_id"])
    name = _text(body, "name")
    if not _ACCOUNT_NAME.fullmatch(name):
        raise ControlError(
            422,
            "invalid_name",
            "A service account name is 6 to 30 lower-case letters, digits or hyphens, starting with a letter.",
        )
    client_email = f"{name}@{project.project_id}.iam.gserviceaccount.com"
    existing = world.service_accounts.get(client_email)
    if existing is not None and not existing.deleted:
        raise ControlError(409, "service_account_exists", f"{client_email} already exists.")
    account = ServiceAccount(
        client_email=client_email,
        client_id=new_client_id(),
        project_id=project.project_id,
        name=name,
    )
    world.service_accounts[client_email] = account
    return JSONResponse(account_json(account), status_code=201)


@_control
def change_service_account(request, world, body):
    account = _account(world, request.path_params["client_email"])
    account.disabled = _flag(body, "disabled")
    return JSONResponse(account_json(account))


@_control
def delete_service_account(request, world, body):
    account = _account(world, request.path_params["client_email"])
    account.deleted = True
    account.public_keys.clear()
    return Response(status_code=204)


@_control
def create_key(request, world, body):
    account = _account(world, request.path_params["client_email"])
    token_uri = str(request.base_url).rstrip("/") + "/token"
    return JSONResponse(issue_key(account, token_uri), status_code=201)


@_control
def delete_key(request, world, body):
    account = _account(world, request.path_params["client_email"])
    if account.public_keys.pop(request.path_params["key_id"], None) is None:
        raise ControlError(404, "unknown_key", "This service account has no key with that id.")
    return Response(status_code=204)


# --- Sign in with Google ------------------------------------------------------------------


@_control
def register_oauth_client(request, world, body):
    uris = body.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        raise ControlError(
            422, "invalid_field", "`redirect_uris` must be a non-empty list of URLs."
        )
    bad = [u for u in uris if not oidc.is_registrable_redirect(u)]
    if bad:
        raise ControlError(
            422, "invalid_redirect_uri", f"Not an http(s) URL without a fragment: {bad[0]!r}."
        )
    client = OAuthClient(
        client_id=new_oauth_client_id(),
        client_secret=new_oauth_client_secret(),
        redirect_uris=tuple(uris),
    )
    world.oauth_clients[client.client_id] = client
    return JSONResponse(
        {
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "redirect_uris": list(client.redirect_uris),
        },
        status_code=201,
    )


@_control
def add_consumer_account(request, world, body):
    """A personal Google account (like @gmail.com): it signs in, but its ID tokens carry no hd."""
    email = _email(_text(body, "email"))
    if world.account(email) is not None:
        raise ControlError(409, "account_exists", f"{email} is already a Google account.")
    if email.rsplit("@", 1)[1] in world.workspaces:
        raise ControlError(
            422, "workspace_domain", f"{email} is in a Workspace domain; add it as a user there."
        )
    world.consumer_accounts[email] = User(email=email)
    return JSONResponse({"email": email}, status_code=201)


@_control
def set_id_token_fault(request, world, body):
    fault = body.get("fault") or ""
    if fault and fault not in oidc.ID_TOKEN_FAULTS:
        raise ControlError(
            422, "invalid_field", f"`fault` must be one of {', '.join(oidc.ID_TOKEN_FAULTS)}."
        )
    world.id_token_fault = fault
    return JSONResponse({"fault": fault})


# --- faults and limits --------------------------------------------------------------------


@_control
def get_faults(request, world, body):
    return JSONResponse(world.faults.to_json())


@_control
def set_faults(request, world, body):
    try:
        world.faults = Faults.from_json(body)
    except (TypeError, ValueError) as exc:
        raise ControlError(422, "invalid_faults", str(exc)) from exc
    return JSONResponse(world.faults.to_json())


@_control
def clear_faults(request, world, body):
    world.faults = Faults()
    return Response(status_code=204)


@_control
def set_limits(request, world, body):
    names = ("user_requests_per_minute", "project_requests_per_minute", "user_changes_per_day")
    unknown = set(body) - set(names)
    if unknown:
        raise ControlError(422, "invalid_field", f"Unknown limits: {', '.join(sorted(unknown))}.")
    for name in names:
        if name in body:
            if not isinstance(body[name], int) or body[name] < 1:
                raise ControlError(422, "invalid_field", f"`{name}` must be a positive integer.")
            setattr(world, name, body[name])
    world.recent_requests.clear()
    return JSONResponse(limits_json(world))


def clock_json(world: World) -> dict:
    return {"now": world.clock.now(), "offset_seconds": world.clock.offset}


@_control
def get_clock(request, world, body):
    return JSONResponse(clock_json(world))


@_control
def advance_clock(request, world, body):
    """Moves the sandbox's time forward: propagation, token lifetimes and quota windows follow."""
    seconds = body.get("advance_seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ControlError(422, "invalid_field", "`advance_seconds` must be a number >= 0.")
    world.clock.advance(float(seconds))
    return JSONResponse(clock_json(world))


@_control
def calls(request, world, body):
    return JSONResponse({"calls": dict(world.calls)})


@_control
def revoke_access_tokens(request, world, body):
    world.tokens.clear()
    return Response(status_code=204)


# --- calendars ----------------------------------------------------------------------------


@_control
def calendar_events(request, world, body):
    email = _calendar_owner(world, request.path_params["email"])
    items = [events.view(stored, email) for stored in world.calendars[email].values()]
    return JSONResponse({"calendar": email, "items": items})


@_control
def seed_event(request, world, body):
    email = _calendar_owner(world, request.path_params["email"])
    return JSONResponse(
        events.insert(world, email, body, conference=True, now=now()), status_code=201
    )


@_control
def respond(request, world, body):
    email = _calendar_owner(world, request.path_params["email"])
    answer = _text(body, "responseStatus")
    return JSONResponse(
        events.respond(world, email, request.path_params["event_id"], answer, now=now())
    )


P = "/_sandbox/v1"
routes = [
    Route(f"{P}/health", health, methods=["GET"]),
    Route(f"{P}/reset", reset, methods=["POST"]),
    Route(f"{P}/state", state, methods=["GET"]),
    Route(f"{P}/workspaces", create_workspace, methods=["POST"]),
    Route(f"{P}/workspaces/{{domain}}/users", add_user, methods=["POST"]),
    Route(f"{P}/workspaces/{{domain}}/users/{{email}}", remove_user, methods=["DELETE"]),
    Route(f"{P}/workspaces/{{domain}}/delegation/{{client_id}}", grant_delegation, methods=["PUT"]),
    Route(
        f"{P}/workspaces/{{domain}}/delegation/{{client_id}}", revoke_delegation, methods=["DELETE"]
    ),
    Route(f"{P}/projects", create_project, methods=["POST"]),
    Route(f"{P}/projects/{{project_id}}/calendar-api", set_calendar_api, methods=["PUT"]),
    Route(
        f"{P}/projects/{{project_id}}/service-accounts", create_service_account, methods=["POST"]
    ),
    Route(f"{P}/service-accounts/{{client_email}}", change_service_account, methods=["PUT"]),
    Route(f"{P}/service-accounts/{{client_email}}", delete_service_account, methods=["DELETE"]),
    Route(f"{P}/service-accounts/{{client_email}}/keys", create_key, methods=["POST"]),
    Route(f"{P}/service-accounts/{{client_email}}/keys/{{key_id}}", delete_key, methods=["DELETE"]),
    Route(f"{P}/oauth-clients", register_oauth_client, methods=["POST"]),
    Route(f"{P}/consumer-accounts", add_consumer_account, methods=["POST"]),
    Route(f"{P}/oidc/id-token-fault", set_id_token_fault, methods=["PUT"]),
    Route(f"{P}/faults", get_faults, methods=["GET"]),
    Route(f"{P}/faults", set_faults, methods=["PUT"]),
    Route(f"{P}/faults", clear_faults, methods=["DELETE"]),
    Route(f"{P}/limits", set_limits, methods=["PUT"]),
    Route(f"{P}/access-tokens", revoke_access_tokens, methods=["DELETE"]),
    Route(f"{P}/clock", get_clock, methods=["GET"]),
    Route(f"{P}/clock", advance_clock, methods=["POST"]),
    Route(f"{P}/calls", calls, methods=["GET"]),
    Route(f"{P}/calendars/{{email}}/events", calendar_events, methods=["GET"]),
    Route(f"{P}/calendars/{{email}}/events", seed_event, methods=["POST"]),
    Route(f"{P}/calendars/{{email}}/events/{{event_id}}/respond", respond, methods=["POST"]),
]
