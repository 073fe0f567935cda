"""Sign in with Google against the sandbox: the Django test client plays the browser, `requests`
plays the person clicking in the sandbox's account chooser."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

CALLBACK = "http://testserver/sign-in/google/callback"


@pytest.fixture
def google(settings, sandbox):
    """Sign in with Google configured with a client registered in the sandbox."""
    client = sandbox.register_oauth_client([CALLBACK])
    settings.MEETBRIDGE = {
        **settings.MEETBRIDGE,
        "GOOGLE_OIDC_CLIENT_ID": client["client_id"],
        "GOOGLE_OIDC_CLIENT_SECRET": client["client_secret"],
        "GOOGLE_OIDC_DISCOVERY_URL": sandbox.discovery_url,
        "PUBLIC_URL": "",
    }
    return client


@pytest.fixture
def workspace(sandbox):
    """Google's side of Acme (acme.test) and of Globex, plus a personal account."""
    sandbox.create_workspace("acme.test", ["ana@acme.test", "ben@acme.test", "nia@acme.test"])
    sandbox.create_workspace("globex.test", ["gus@globex.test"])
    sandbox.create_workspace("initech.test", ["ivy@initech.test"])
    sandbox.add_consumer_account("joe@gmail.test")
    return sandbox


def to_provider(client, start_path="/sign-in/google/start", data=None):
    response = client.post(start_path, data or {})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def choose_account(
    authorize_url: str, email: str | None, *, cancel: bool = False, http=requests
) -> str:
    """Opens the chooser, clicks the address (or Cancel); returns where the provider sends back."""
    page = http.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    query = dict(p.split("=", 1) for p in urlsplit(authorize_url).query.split("&"))
    from urllib.parse import unquote_plus

    form = {k: unquote_plus(v) for k, v in query.items()}
    form |= {"cancel": "1"} if cancel else {"account": email}
    base = authorize_url.split("?", 1)[0]
    answer = http.post(base, data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def back_to_meetbridge(client, location: str):
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def provider_button(client, provider: str, next_page: str | None = None) -> str:
    """Where the sign-in page's "Sign in with …" form for that provider posts (its `action`),
    the page opened as a signed-out person sent from `next_page` would see it."""
    import html
    import re

    page = client.get("/sign-in", {"next": next_page} if next_page is not None else {})
    assert page.status_code == 200
    found = re.search(rf'action="(/sign-in/{provider}/start[^"]*)"', page.content.decode())
    assert found, f"no {provider} button"
    return html.unescape(found.group(1))


HOSTILE_NEXT = [
    "//evil.test/x",
    "https://evil.test/",
    "http://testserver/availability",  # absolute, even to this host: a path is required
    "/\\evil.test",
    "/\\/evil.test",
    "/\t/evil.test",
    "///evil.test",
    "javascript:alert(1)",
    "evil.test",
    " /availability",
]


def sign_in_with_google(client, email, *, cancel=False, start_path="/sign-in/google/start"):
    location = choose_account(to_provider(client, start_path), email, cancel=cancel)
    return back_to_meetbridge(client, location)


# --- Sign in with Microsoft ----------------------------------------------------------------

MICROSOFT_CALLBACK = "http://testserver/sign-in/microsoft/callback"


def connect_directory(tenant, directory_id: str):
    """The tenant's Microsoft 365 integration, connected and verified for that directory (the
    rows a verified connection leaves; the connection itself is tested in integrations/)."""
    import uuid

    from meetbridge.integrations.models import Credential, Integration

    integration, _ = Integration.objects.get_or_create(
        tenant=tenant, defaults={"provider": "microsoft"}
    )
    integration.key_versions += 1
    integration.save()
    integration.credentials.filter(in_service=True).delete()
    return Credential.objects.create(
        integration=integration,
        provider="microsoft",
        version=integration.key_versions,
        in_service=True,
        status=Credential.Status.VERIFIED,
        public={"tenant_id": directory_id, "client_id": str(uuid.uuid4()), "credential": "secret"},
        secret_id=uuid.uuid4().hex,
        sealed_secret="not-used-here",
    )


def microsoft_settings(settings, microsoft, app, authority: str = "organizations") -> None:
    settings.MEETBRIDGE = {
        **settings.MEETBRIDGE,
        "MICROSOFT_OIDC_CLIENT_ID": app["client_id"],
        "MICROSOFT_OIDC_CLIENT_SECRET": app["client_secret"],
        "MICROSOFT_OIDC_DISCOVERY_URL": microsoft.discovery_url(authority),
        "MICROSOFT_LOGIN_BASE": microsoft.login_base,
        "MICROSOFT_CA_BUNDLE": microsoft.ca_path,
        "PUBLIC_URL": "",
    }


@pytest.fixture
def entra(microsoft):
    """Microsoft's side: Acme's and Globex's directories, Initech's (on no tenant), a personal
    account, and the operator's multi-tenant app registration for sign-in (in its own
    directory)."""
    directories = {
        "acme": microsoft.create_tenant(
            "acme.test", ["ana@acme.test", "ben@acme.test", "nia@acme.test"]
        ),
        "globex": microsoft.create_tenant("globex.test", ["gus@globex.test"]),
        "initech": microsoft.create_tenant("initech.test", ["ivy@initech.test"]),
        "operator": microsoft.create_tenant("meetbridge-operator.test"),
    }
    microsoft.add_personal_account("joe@outlook.test")
    app = microsoft.sign_in_app(directories["operator"]["tenant_id"], [MICROSOFT_CALLBACK])
    return {**{k: v["tenant_id"] for k, v in directories.items()}, "app": app}


@pytest.fixture
def microsoft_sign_in(settings, microsoft, entra):
    """Sign in with Microsoft configured (authority `organizations`, the sandbox's CA)."""
    microsoft_settings(settings, microsoft, entra["app"])
    return entra


@pytest.fixture
def https(microsoft):
    """The person's browser, trusting the sandbox's certificate authority."""
    session = requests.Session()
    session.trust_env = False
    session.verify = microsoft.ca_path
    return session


def sign_in_with_microsoft(client, https, email, *, cancel=False, start_path=None):
    location = to_provider(client, start_path or "/sign-in/microsoft/start")
    return back_to_meetbridge(client, choose_account(location, email, cancel=cancel, http=https))
