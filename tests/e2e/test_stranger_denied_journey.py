"""People outside a page's audience are turned away with a page that says why, never a crash."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_PAGES = ["/members", "/audit"]


def test_a_member_is_refused_every_admin_page(browsing, people):
    page = browsing.sign_in("ben@acme.test")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Members")).to_have_count(0)
    for path in ADMIN_PAGES:
        response = page.goto(path)
        assert response.status == 403, path
        expect(page.get_by_role("heading", name="You cannot open this page")).to_be_visible()
    browsing.shot(page, "denied")


def test_an_admin_of_another_tenant_sees_nothing_of_acme(browsing, people):
    page = browsing.sign_in("gia@globex.test")
    page.goto("/members")
    expect(page.get_by_role("row", name="Gia Admin")).to_be_visible()
    expect(page.get_by_text("acme.test")).to_have_count(0)
