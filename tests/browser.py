"""Headless Chromium for the browser tests: Debian's build, driven by Playwright.

Playwright's own browser download cannot work here, so every browser test launches the
system Chromium through `launch`, with the flags it needs to run as root without a network.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("MEETBRIDGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
PHONE = {"width": 390, "height": 844}


def launch(playwright):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: run `sh scripts/ensure-chromium.sh` "
            "(make test does) or set MEETBRIDGE_CHROMIUM."
        )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@pytest.fixture
def phone_context(live_server, monkeypatch):
    """A fresh browser context at a phone's width, its base URL the live server."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the test's own database calls
    # are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as driver:
        browser = launch(driver)
        context = browser.new_context(viewport=PHONE, base_url=live_server.url)
        yield context
        context.close()
        browser.close()


NARROW_PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(params=[DESKTOP, NARROW_PHONE], ids=["1280px", "375px"])
def sized_page(request, live_server, monkeypatch):
    """A page at a desktop's width, then at a small phone's: a test using it runs at both."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as driver:
        browser = launch(driver)
        context = browser.new_context(viewport=request.param, base_url=live_server.url)
        page = context.new_page()
        page.viewport = request.param
        yield page
        context.close()
        browser.close()
