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


def choose_account(authorize_url: str, email: str | None, *, cancel: bool = False) -> str:
    """Opens the chooser, clicks the address (or Cancel); returns where the provider sends back."""
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    query = dict(p.split("=", 1) for p in urlsplit(authorize_url).query.split("&"))
    from urllib.parse import unquote_plus

    form = {k: unquote_plus(v) for k, v in query.items()}
    form |= {"cancel": "1"} if cancel else {"account": email}
    base = authorize_url.split("?", 1)[0]
    answer = requests.post(base, data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def back_to_meetbridge(client, location: str):
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in_with_google(client, email, *, cancel=False, start_path="/sign-in/google/start"):
    location = choose_account(to_provider(client, start_path), email, cancel=cancel)
    return back_to_meetbridge(client, location)
