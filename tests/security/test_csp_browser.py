"""In headless Chromium: the pages and the API docs work under the strict policy, and the
browser reports no blocked script, style or image."""

from __future__ import annotations

import shutil

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


@pytest.fixture
def watched_page(phone_context):
    page = phone_context.new_page()
    page.blocked = []
    page.on(
        "console",
        lambda message: (
            page.blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return page


def sign_in(page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Work e-mail").fill(email)
    page.get_by_label("Password").fill("x" * 12)
    page.get_by_role("button", name="Sign in").click()


def test_the_api_docs_render_from_this_site_under_the_policy(watched_page, db):
    watched_page.goto("/api/v1/docs")
    watched_page.get_by_text("meetbridge API").first.wait_for()
    watched_page.locator(".opblock").first.wait_for()
    assert watched_page.blocked == []


def test_the_admin_pages_run_their_scripts_under_the_policy(watched_page, admin, team):
    sign_in(watched_page, admin.email)
    for path in ("/", "/settings/integrations", "/members", "/audit", "/availability"):
        watched_page.goto(path)
        watched_page.wait_for_load_state("networkidle")
    watched_page.goto("/settings/integrations")
    # The disconnect button asks first (a data-confirm handler, no inline onsubmit).
    asked = []
    watched_page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    watched_page.get_by_role("button", name="Disconnect").click()
    assert asked and "Disconnect Google Workspace?" in asked[0]
    assert watched_page.blocked == []
