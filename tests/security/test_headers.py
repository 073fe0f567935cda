"""Security headers on every page and API answer, and pages that need no inline code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from cryptography.fernet import Fernet
from django.test import Client

from tests.conftest import api_as

SIGNED_IN_PAGES = ["/", "/meetings", "/availability", "/me/calendar", "/members", "/audit"]


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = [part.strip().split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


class InlineCode(HTMLParser):
    """Finds what a strict CSP would block: inline scripts, event handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=...>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self._in_inline_script = True

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_every_page_has_a_strict_policy(admin):
    client = signed_in(admin)
    for path in [*SIGNED_IN_PAGES, "/settings/integrations"]:
        response = client.get(path)
        assert response.status_code == 200, path
        policy = directives(response)
        assert policy["default-src"] == ["'self'"], path
        assert policy["script-src"] == ["'self'"], path
        assert policy["style-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_the_pages_carry_no_inline_code_the_policy_would_block(admin, client):
    pages = signed_in(admin)
    for path in [*SIGNED_IN_PAGES, "/settings/integrations"]:
        assert inline_code(pages.get(path).content.decode()) == [], path
    assert inline_code(client.get("/sign-in", follow=True).content.decode()) == []


def test_the_error_page_needs_no_inline_style():
    from pathlib import Path

    import meetbridge.web

    page = Path(meetbridge.web.__file__).parent / "templates" / "500.html"
    assert inline_code(page.read_text()) == []


def test_signed_in_pages_and_every_api_answer_are_not_cached(admin, client):
    pages = signed_in(admin)
    for path in SIGNED_IN_PAGES:
        cache = pages.get(path)["Cache-Control"]
        assert "no-store" in cache and "private" in cache, path
    api = api_as(admin)
    for answer in (api.get("/me"), api.get("/meetings/nope"), client.get("/api/v1/me")):
        assert "no-store" in answer["Cache-Control"]


def test_the_api_docs_load_nothing_from_another_site(db, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html
    assert directives(response)["script-src"] == ["'self'"]
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_hsts_only_over_tls(db, client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert "Strict-Transport-Security" not in client.get("/sign-in", follow=True)
    over_tls = client.get("/sign-in", HTTP_X_FORWARDED_PROTO="https")
    assert over_tls["Strict-Transport-Security"] == "max-age=31536000"


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="meet.example.com")
print(json.dumps({
    "debug": settings.DEBUG,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "proxy": list(settings.SECURE_PROXY_SSL_HEADER),
    "admin": client.get("/admin/login/").status_code,
    "tls_hsts": client.get("/api/v1/openapi.json", HTTP_X_FORWARDED_PROTO="https").get(
        "Strict-Transport-Security"
    ),
}))
"""


def run_production(tmp_path, **extra) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "meetbridge.settings",
        "MEETBRIDGE_MODE": "production",
        "MEETBRIDGE_VAR_DIR": str(tmp_path),
        "MEETBRIDGE_SIGNING_KEY": "k" * 50,
        "MEETBRIDGE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "MEETBRIDGE_ALLOWED_HOSTS": "meet.example.com",
        **extra,
    }
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_sends_hsts_over_tls_and_hides_the_admin(tmp_path):
    done = run_production(tmp_path)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["debug"] is False
    assert seen["hsts"] == 31_536_000
    assert seen["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["admin"] == 404
    assert seen["tls_hsts"] == "max-age=31536000"


def test_production_mounts_the_admin_only_when_the_operator_asks(tmp_path):
    done = run_production(tmp_path, MEETBRIDGE_ADMIN_ENABLED="1")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["admin"] == 200


def test_production_refuses_to_start_with_debug(tmp_path):
    done = run_production(tmp_path, MEETBRIDGE_DEBUG="1")
    assert done.returncode != 0
    assert "MEETBRIDGE_DEBUG=1 is refused in production mode" in done.stderr


@pytest.mark.parametrize("path", ["/api/v1/redoc", "/api/v1/openapi.json"])
def test_api_documents_are_served_from_here(db, client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
