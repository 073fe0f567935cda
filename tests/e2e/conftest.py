"""Browser journeys: headless Chromium (Playwright) against a live meetbridge and the sandbox.

Each test gets a live server on a transactional database, a real huey consumer in threads for
background work, and fresh browser contexts (desktop and phone). Screenshots go to
MEETBRIDGE_E2E_RESULTS (default: a temp dir printed at the end); the ones the docs show are also
written to MEETBRIDGE_DOCS_SCREENSHOTS when set (see docs/screenshots/README.md).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser import launch

# Playwright's synchronous API runs an event loop in the test's thread; Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
TIMEOUT_MS = 15_000
PASSWORD = "correct-horse-battery"
DOCS_HEIGHT = 1000


@pytest.fixture(scope="session")
def results_dir() -> Iterator[Path]:
    configured = os.environ.get("MEETBRIDGE_E2E_RESULTS")
    path = Path(configured) if configured else Path(tempfile.mkdtemp(prefix="meetbridge-e2e-"))
    path.mkdir(parents=True, exist_ok=True)
    yield path
    print(f"\nBrowser journey screenshots: {path}")


# Package scope: one browser for these journeys, closed before other packages' browser tests
# start their own Playwright (two sync Playwright instances cannot share a thread).
@pytest.fixture(scope="package")
def playwright_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def worker(transactional_db) -> Iterator[None]:
    """huey's consumer in threads, as `meetbridge run` embeds it, on a queue emptied per test."""
    from huey.contrib.djhuey import HUEY

    from meetbridge.jobs.embedded import start_embedded_worker

    HUEY.flush()
    consumer = start_embedded_worker(workers=2)
    yield
    consumer.stop(graceful=True)
    HUEY.flush()


@dataclass
class Browsing:
    """Opens pages as people, on a desktop or a phone, and keeps screenshots of the journey."""

    browser: object
    base_url: str
    results: Path
    test_name: str
    contexts: list = field(default_factory=list)

    def page(self, *, phone: bool = False, ignore_https_errors: bool = False):
        # ignore_https_errors: the Microsoft stand-in's pages are served with the sandbox's own
        # certificate authority, which the browser does not know.
        context = self.browser.new_context(
            base_url=self.base_url,
            ignore_https_errors=ignore_https_errors,
            viewport=PHONE if phone else DESKTOP,
            device_scale_factor=1,
            is_mobile=phone,
            has_touch=phone,
            locale="en-GB",
            timezone_id="America/Toronto",
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        return context.new_page()

    def sign_in(self, email: str, *, phone: bool = False, password: str = PASSWORD):
        page = self.page(phone=phone)
        page.goto("/sign-in")
        page.get_by_label("Work e-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.get_by_role("heading", level=1, name="Hello").wait_for()
        return page

    def shot(self, page, name: str, *, docs: bool = False) -> Path:
        """The whole page into the results; for the docs, at most its first DOCS_HEIGHT px."""
        path = self.results / f"{self.test_name}--{name}.png"
        page.screenshot(path=str(path), full_page=True)
        docs_dir = os.environ.get("MEETBRIDGE_DOCS_SCREENSHOTS")
        if docs and docs_dir:
            Path(docs_dir).mkdir(parents=True, exist_ok=True)
            width = page.viewport_size["width"]
            height = min(page.evaluate("document.documentElement.scrollHeight"), DOCS_HEIGHT)
            page.screenshot(
                path=str(Path(docs_dir) / f"{name}.png"),
                full_page=True,
                clip={"x": 0, "y": 0, "width": width, "height": height},
            )
        return path

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(
    playwright_browser, live_server, results_dir, google_settings, request
) -> Iterator[Browsing]:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    session = Browsing(playwright_browser, live_server.url, results_dir, request.node.name)
    yield session
    session.close()


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    # Django's default hasher spends ~0.3 s per password by design; journeys sign in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(transactional_db):
    """Acme (the tenant the journeys use) and Globex (a stranger), with sign-in passwords."""
    from meetbridge.tenants.service import add_person, create_tenant

    acme = create_tenant(slug="acme", name="Acme", domain="acme.test", time_zone="America/Toronto")
    globex = create_tenant(slug="globex", name="Globex", domain="globex.test")

    def person(tenant, email, name, admin=False):
        return add_person(tenant=tenant, email=email, name=name, admin=admin, password=PASSWORD)

    return {
        "acme": acme,
        "globex": globex,
        "ana": person(acme, "ana@acme.test", "Ana Alvarez", admin=True),
        "ben": person(acme, "ben@acme.test", "Ben Okafor"),
        "chloe": person(acme, "chloe@acme.test", "Chloé Martin"),
        "gus": person(globex, "gus@globex.test", "Gus Grant"),
        "gia": person(globex, "gia@globex.test", "Gia Admin", admin=True),
    }


@pytest.fixture
def connected_acme(people, sandbox):
    """Acme's Workspace connected and verified, as the admin journey leaves it; Ben (Toronto)
    and Chloé (Paris) have granted calendar access."""
    from meetbridge.integrations import connection, verification
    from meetbridge.scheduling import consent

    setup = sandbox.quick_setup("acme.test", ["ana@acme.test", "ben@acme.test", "chloe@acme.test"])
    credential = connection.save_key(
        tenant=people["acme"], actor=people["ana"], provider="google", raw_key=setup.key
    )
    result = verification.check_credential(credential.id, credential.check_round)
    assert result is not None and result.status == "verified", result
    consent.grant(people["ben"], time_zone="America/Toronto")
    consent.grant(people["chloe"], time_zone="Europe/Paris")
    return setup
