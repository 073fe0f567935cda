"""A client for the Microsoft half of the control API, for tests, demos and local seeding.

ms = MicrosoftSandbox("http://127.0.0.1:8001")
setup = ms.quick_setup("contoso.test", ["adele@contoso.test"])
setup.authority  # what msal takes as `authority`; ms.ca_path is what it takes as `verify`
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import requests

from ..client import SandboxError

CALENDARS_READ_WRITE = "Calendars.ReadWrite"
GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default"


@dataclass
class MicrosoftSetup:
    """A directory with mailboxes, an app registration with a credential, and admin consent."""

    tenant_id: str
    domain: str
    users: list[str]
    client_id: str
    login_base: str
    graph_base: str
    secret: str | None = None
    secret_expires_at: str | None = None
    certificate: str | None = None
    private_key: str | None = None
    thumbprint: str | None = None
    certificate_expires_at: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def authority(self) -> str:
        return f"{self.login_base}/{self.tenant_id}"

    @property
    def client_credential(self):
        """What msal's ConfidentialClientApplication takes as `client_credential`."""
        if self.secret is not None:
            return self.secret
        return {"private_key": self.private_key, "public_certificate": self.certificate}


class MicrosoftSandbox:
    def __init__(
        self, url: str, session: requests.Session | None = None, ca_dir: Path | None = None
    ):
        self.url = url.rstrip("/")
        self.http = session or requests.Session()
        self._tls: dict | None = None
        self._ca_dir = ca_dir

    def _call(self, method: str, path: str, body: dict | None = None):
        response = self.http.request(
            method, f"{self.url}/_sandbox/v1/microsoft{path}", json=body, timeout=30
        )
        payload = response.json() if response.content else None
        if response.status_code >= 400:
            raise SandboxError(response.status_code, payload)
        return payload

    # TLS and the two bases
    @property
    def tls(self) -> dict:
        if self._tls is None:
            response = self.http.get(f"{self.url}/_sandbox/v1/tls", timeout=30)
            if response.status_code != 200:
                raise SandboxError(response.status_code, response.json())
            self._tls = response.json()
        return self._tls

    @property
    def https_url(self) -> str:
        return self.tls["https_url"]

    @property
    def login_base(self) -> str:
        return f"{self.https_url}/microsoft/login"

    @property
    def graph_base(self) -> str:
        return f"{self.https_url}/microsoft/graph"

    @property
    def ca_path(self) -> str:
        """A file holding the sandbox's certificate authority (what `verify=` takes)."""
        directory = self._ca_dir or Path(".")
        path = Path(directory) / "microsoft-sandbox-ca.pem"
        if not path.exists() or path.read_text() != self.tls["ca_certificate"]:
            path.write_text(self.tls["ca_certificate"])
        return str(path)

    # Entra admin center
    def create_tenant(self, domain: str, users: list[str] = (), time_zone: str = "UTC") -> dict:
        body = {"domain": domain, "users": list(users), "time_zone": time_zone}
        return self._call("POST", "/tenants", body)

    def add_user(self, tenant_id: str, email: str, **settings) -> dict:
        return self._call("POST", f"/tenants/{tenant_id}/users", {"email": email, **settings})

    def remove_user(self, tenant_id: str, email: str) -> None:
        self._call("DELETE", f"/tenants/{tenant_id}/users/{quote(email)}")

    def change_mailbox(self, email: str, **settings) -> dict:
        return self._call("PUT", f"/mailboxes/{quote(email)}", settings)

    def create_app(self, tenant_id: str, name: str = "meetbridge") -> dict:
        return self._call("POST", f"/tenants/{tenant_id}/apps", {"name": name})

    def add_secret(self, client_id: str, expires_in_days: float = 180) -> dict:
        body = {"expires_in_days": expires_in_days}
        return self._call("POST", f"/apps/{client_id}/secrets", body)

    def delete_secret(self, client_id: str, secret_id: str) -> None:
        self._call("DELETE", f"/apps/{client_id}/secrets/{secret_id}")

    def add_certificate(self, client_id: str, expires_in_days: float = 365) -> dict:
        body = {"expires_in_days": expires_in_days}
        return self._call("POST", f"/apps/{client_id}/certificates", body)

    def delete_certificate(self, client_id: str, certificate_id: str) -> None:
        self._call("DELETE", f"/apps/{client_id}/certificates/{certificate_id}")

    def disable_app(self, client_id: str, disabled: bool = True) -> dict:
        return self._call("PUT", f"/apps/{client_id}", {"disabled": disabled})

    def grant_consent(
        self,
        tenant_id: str,
        client_id: str,
        roles: list[str] = (CALENDARS_READ_WRITE,),
        propagation_seconds: float = 0,
    ) -> dict:
        body = {"roles": list(roles), "propagation_seconds": propagation_seconds}
        return self._call("PUT", f"/tenants/{tenant_id}/consent/{client_id}", body)

    def revoke_consent(self, tenant_id: str, client_id: str) -> None:
        self._call("DELETE", f"/tenants/{tenant_id}/consent/{client_id}")

    def set_access_policy(
        self, tenant_id: str, client_id: str, allowed: list[str], propagation_seconds: float = 0
    ) -> dict:
        body = {"allowed": list(allowed), "propagation_seconds": propagation_seconds}
        return self._call("PUT", f"/tenants/{tenant_id}/access-policy/{client_id}", body)

    def remove_access_policy(self, tenant_id: str, client_id: str) -> None:
        self._call("DELETE", f"/tenants/{tenant_id}/access-policy/{client_id}")

    # Sign in with Microsoft
    def set_authentication(
        self,
        client_id: str,
        redirect_uris: list[str],
        sign_in_audience: str = "AzureADMultipleOrgs",
    ) -> dict:
        body = {"redirect_uris": list(redirect_uris), "sign_in_audience": sign_in_audience}
        return self._call("PUT", f"/apps/{client_id}/authentication", body)

    def sign_in_app(
        self,
        tenant_id: str,
        redirect_uris: list[str],
        sign_in_audience: str = "AzureADMultipleOrgs",
        name: str = "meetbridge sign-in",
    ) -> dict:
        """An app registration for Sign in with Microsoft, with a client secret:
        `{"client_id", "client_secret", "tenant_id"}`."""
        app = self.create_app(tenant_id, name)
        self.set_authentication(app["client_id"], redirect_uris, sign_in_audience)
        secret = self.add_secret(app["client_id"])
        return {"client_id": app["client_id"], "client_secret": secret["secret"], "tenant_id": tenant_id}  # fmt: skip

    def add_personal_account(self, email: str, name: str = "") -> dict:
        return self._call("POST", "/personal-accounts", {"email": email, "name": name})

    def rename_user(self, email: str, new_email: str) -> dict:
        return self._call("PUT", f"/mailboxes/{quote(email)}/address", {"email": new_email})

    def set_id_token_fault(self, fault: str = "") -> dict:
        return self._call("PUT", "/id-token-fault", {"fault": fault})

    def discovery_url(self, authority: str = "organizations") -> str:
        return f"{self.login_base}/{authority}/v2.0/.well-known/openid-configuration"

    # Clock, limits, inspection
    def advance_clock(self, seconds: float) -> dict:
        """The sandbox's one clock (Google's side moves too)."""
        response = self.http.post(
            f"{self.url}/_sandbox/v1/clock", json={"advance_seconds": seconds}, timeout=30
        )
        if response.status_code >= 400:
            raise SandboxError(response.status_code, response.json())
        return response.json()

    def set_limits(self, **limits) -> dict:
        return self._call("PUT", "/limits", limits)

    def hold(self, held: bool = True) -> dict:
        return self._call("PUT", "/hold", {"held": held})

    def state(self) -> dict:
        return self._call("GET", "/state")

    def events_of(self, email: str) -> list[dict]:
        return self._call("GET", f"/mailboxes/{quote(email)}/events")["items"]

    def seed_event(self, email: str, event: dict) -> dict:
        return self._call("POST", f"/mailboxes/{quote(email)}/events", event)

    def respond(self, email: str, event_id: str, response: str) -> dict:
        body = {"response": response}
        return self._call("POST", f"/mailboxes/{quote(email)}/events/{event_id}/respond", body)

    # The admin's steps at once
    def quick_setup(
        self,
        domain: str,
        users: list[str],
        *,
        credential: str = "secret",
        roles: list[str] = (CALENDARS_READ_WRITE,),
        consent: bool = True,
        time_zone: str = "UTC",
        expires_in_days: float | None = None,
    ) -> MicrosoftSetup:
        tenant = self.create_tenant(domain, users, time_zone)
        app = self.create_app(tenant["tenant_id"])
        setup = MicrosoftSetup(
            tenant_id=tenant["tenant_id"],
            domain=tenant["domain"],
            users=[u.lower() for u in users],
            client_id=app["client_id"],
            login_base=self.login_base,
            graph_base=self.graph_base,
        )
        if credential == "certificate":
            cert = self.add_certificate(app["client_id"], expires_in_days or 365)
            setup.certificate, setup.private_key = cert["certificate"], cert["private_key"]
            setup.thumbprint, setup.certificate_expires_at = cert["thumbprint"], cert["expires_at"]
        else:
            secret = self.add_secret(app["client_id"], expires_in_days or 180)
            setup.secret, setup.secret_expires_at = secret["secret"], secret["expires_at"]
        if consent:
            self.grant_consent(setup.tenant_id, setup.client_id, roles)
        return setup
