"""A small client for the sandbox's control API, for tests, demos and local seeding.

sandbox = Sandbox("http://127.0.0.1:8001")
setup = sandbox.quick_setup("acme.test", ["ana@acme.test", "ben@acme.test"])
setup.key  # the key file, as Google's console downloads it
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import requests

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"


class SandboxError(Exception):
    def __init__(self, status: int, body):
        super().__init__(f"sandbox answered {status}: {body}")
        self.status, self.body = status, body


@dataclass
class Setup:
    """A Workspace domain, a project, a service account with a key and a delegation grant."""

    domain: str
    users: list[str]
    project_id: str
    client_email: str
    client_id: str
    key: dict


class Sandbox:
    def __init__(self, url: str, session: requests.Session | None = None):
        self.url = url.rstrip("/")
        self.http = session or requests.Session()

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    @property
    def api_endpoint(self) -> str:
        """What to pass as google-api-python-client's `client_options["api_endpoint"]`."""
        return f"{self.url}/calendar/v3/"

    def _call(self, method: str, path: str, body: dict | None = None):
        response = self.http.request(method, f"{self.url}/_sandbox/v1{path}", json=body, timeout=30)
        payload = response.json() if response.content else None
        if response.status_code >= 400:
            raise SandboxError(response.status_code, payload)
        return payload

    # Workspace admin console
    def create_workspace(self, domain: str, users: list[str] = (), time_zone: str = "UTC") -> dict:
        return self._call(
            "POST", "/workspaces", {"domain": domain, "users": list(users), "time_zone": time_zone}
        )

    def add_user(self, domain: str, email: str, time_zone: str = "UTC") -> dict:
        return self._call(
            "POST", f"/workspaces/{domain}/users", {"email": email, "time_zone": time_zone}
        )

    def remove_user(self, domain: str, email: str) -> None:
        self._call("DELETE", f"/workspaces/{domain}/users/{quote(email)}")

    def grant_delegation(
        self,
        domain: str,
        client_id: str,
        scopes: list[str] = (CALENDAR_SCOPE,),
        propagation_seconds: float = 0,
    ) -> dict:
        body = {"scopes": list(scopes), "propagation_seconds": propagation_seconds}
        return self._call("PUT", f"/workspaces/{domain}/delegation/{client_id}", body)

    def revoke_delegation(self, domain: str, client_id: str) -> None:
        self._call("DELETE", f"/workspaces/{domain}/delegation/{client_id}")

    # Cloud console
    def create_project(self, project_id: str) -> dict:
        return self._call("POST", "/projects", {"project_id": project_id})

    def set_calendar_api(self, project_id: str, enabled: bool) -> dict:
        return self._call("PUT", f"/projects/{project_id}/calendar-api", {"enabled": enabled})

    def create_service_account(self, project_id: str, name: str) -> dict:
        return self._call("POST", f"/projects/{project_id}/service-accounts", {"name": name})

    def create_key(self, client_email: str) -> dict:
        return self._call("POST", f"/service-accounts/{quote(client_email)}/keys")

    def delete_key(self, client_email: str, private_key_id: str) -> None:
        self._call("DELETE", f"/service-accounts/{quote(client_email)}/keys/{private_key_id}")

    def disable_service_account(self, client_email: str, disabled: bool = True) -> dict:
        return self._call("PUT", f"/service-accounts/{quote(client_email)}", {"disabled": disabled})

    def delete_service_account(self, client_email: str) -> None:
        self._call("DELETE", f"/service-accounts/{quote(client_email)}")

    # Sign in with Google
    def register_oauth_client(self, redirect_uris: list[str]) -> dict:
        """A web OAuth client: {"client_id", "client_secret", "redirect_uris"}."""
        return self._call("POST", "/oauth-clients", {"redirect_uris": list(redirect_uris)})

    def add_consumer_account(self, email: str) -> dict:
        """A personal Google account outside every Workspace (its ID tokens carry no hd)."""
        return self._call("POST", "/consumer-accounts", {"email": email})

    def set_id_token_fault(self, fault: str = "") -> dict:
        """Makes the next ID tokens wrong in one way (see workspace_sandbox.oidc); "" clears."""
        return self._call("PUT", "/oidc/id-token-fault", {"fault": fault})

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    # Faults, limits, tokens
    def set_faults(self, **faults) -> dict:
        return self._call("PUT", "/faults", faults)

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def set_limits(self, **limits) -> dict:
        return self._call("PUT", "/limits", limits)

    def revoke_access_tokens(self) -> None:
        self._call("DELETE", "/access-tokens")

    def advance_clock(self, seconds: float) -> dict:
        """Moves the sandbox's time forward (delegation propagation, token expiry, quotas)."""
        return self._call("POST", "/clock", {"advance_seconds": seconds})

    def calls(self, operation: str | None = None):
        """Google-compatible requests answered since the last reset, per operation, or the
        count of one (e.g. `calendar.freebusy.query`, `oauth2.token`)."""
        counts = self._call("GET", "/calls")["calls"]
        return counts if operation is None else counts.get(operation, 0)

    def reset(self) -> None:
        self._call("POST", "/reset")

    def state(self) -> dict:
        return self._call("GET", "/state")

    # Calendars
    def seed_event(self, email: str, event: dict) -> dict:
        return self._call("POST", f"/calendars/{quote(email)}/events", event)

    def events_of(self, email: str) -> list[dict]:
        return self._call("GET", f"/calendars/{quote(email)}/events")["items"]

    def respond(self, email: str, event_id: str, response_status: str) -> dict:
        body = {"responseStatus": response_status}
        return self._call("POST", f"/calendars/{quote(email)}/events/{event_id}/respond", body)

    # The three setup steps at once
    def quick_setup(
        self,
        domain: str,
        users: list[str],
        *,
        project_id: str | None = None,
        account_name: str = "calendar-sync",
        scopes: list[str] = (CALENDAR_SCOPE,),
        time_zone: str = "UTC",
        delegate: bool = True,
    ) -> Setup:
        project_id = project_id or ("proj-" + domain.replace(".", "-"))[:30].rstrip("-")
        self.create_workspace(domain, users, time_zone)
        self.create_project(project_id)
        account = self.create_service_account(project_id, account_name)
        key = self.create_key(account["client_email"])
        if delegate:
            self.grant_delegation(domain, account["client_id"], scopes)
        return Setup(
            domain=domain,
            users=[u.lower() for u in users],
            project_id=project_id,
            client_email=account["client_email"],
            client_id=account["client_id"],
            key=key,
        )
