"""axe-core on every page and state, signed in as an admin and as a member, at 1280 and 375 px:
no critical or serious violation, and nothing wider than the screen.

The states: sign-in (password only, with Google, with Google and Microsoft configured), the invitation page, every
state of the Integrations page (not connected with either provider chosen, a refused key,
waiting, needs you, verified), Members, Audit, API tokens, Calendar access, Find a time (empty,
picker, results, error summary, nobody working), the booking form, meetings (none yet, booked,
answered, cancelled), rescheduling, and 404.
"""

from __future__ import annotations

import shutil
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from meetbridge.integrations import connection, verification
from meetbridge.scheduling import consent
from tests.accessibility import grave_violations
from tests.accounts.conftest import microsoft_settings as sign_in_with_microsoft
from tests.browser import sized_page  # noqa: F401
from tests.conftest import api_as
from tests.integrations.microsoft.conftest import credential_of
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at
from tests.scheduling.test_availability_api import next_weekday
from tests.scheduling.test_browser import sign_in

SCOPE = "https://www.googleapis.com/auth/calendar"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed"),
]


class Checker:
    def __init__(self, page) -> None:
        self.page = page
        self.problems: list[str] = []

    def check(self, state: str, ready=None) -> None:
        """`ready`: a locator that shows the state has arrived (after a click that navigates)."""
        if ready is not None:
            expect(ready).to_be_visible()
        self.page.wait_for_load_state()
        for violation in grave_violations(self.page):
            self.problems.append(
                f"{state}: {violation['impact']} {violation['id']} ({violation['help']}) "
                f"at {violation['nodes']}"
            )
        width = self.page.evaluate("document.documentElement.scrollWidth")
        if width > self.page.viewport["width"]:
            self.problems.append(f"{state}: {width} px wide, wider than the screen")

    def visit(self, path: str, state: str | None = None) -> None:
        self.page.goto(path)
        self.check(state or path)


def test_every_page_and_state_of_a_member(sized_page, team):  # noqa: F811
    page = sized_page
    ben, cy = team.members[:2]
    consent.grant(cy, time_zone="Europe/Paris")
    checker = Checker(page)

    page.goto("/sign-in")
    checker.check("sign-in")
    page.get_by_label("Work e-mail").fill(ben.email)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    checker.check("sign-in, wrong password")
    sign_in(page, ben.email)
    checker.check("home (member)")
    if page.viewport["width"] < 600:
        page.get_by_role("button", name="Menu").click()
        checker.check("menu open")

    checker.visit("/me/calendar", "calendar access, granted")
    page.get_by_label("Your time zone").fill("Mars/Base")
    page.get_by_role("button", name="Save changes").click()
    checker.check("calendar access, error summary", page.locator(".error[role=alert]"))
    expect(page.locator(".error[role=alert]")).to_be_focused()
    page.get_by_label("Your time zone").fill("America/Toronto")
    page.get_by_role("button", name="Save changes").click()
    checker.check("calendar access, saved (message)")
    page.get_by_role("button", name="Add a range on Monday").click()
    page.get_by_role("button", name="Copy to all days from Monday").click()
    checker.check(
        "calendar access, a range added and copied to all days",
        page.get_by_label("Friday range 2, from"),
    )

    checker.visit("/meetings", "meetings, none yet")
    checker.visit("/availability", "find a time, empty")
    checker.visit(f"/availability?first_day={next_weekday(2)}", "find a time, no colleague")
    page.get_by_role("combobox", name="Add a colleague").fill("cy")
    page.get_by_role("option").first.wait_for()
    checker.check("find a time, picker open")
    checker.visit(
        f"/availability?with={cy.email}&first_day=2999-01-01", "find a time, error summary"
    )
    checker.visit(
        f"/availability?with={cy.email}&first_day={next_weekday(5)}&days=1",
        "find a time, nobody works",
    )
    day = next_weekday(2)
    checker.visit(f"/availability?with={cy.email}&first_day={day}", "find a time, results")

    start = next_weekday_at(10)
    booking = "/meetings/new?" + urlencode(
        {"start": start.isoformat(), "with": cy.email, "duration": 30}
    )
    checker.visit(booking, "booking form")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Book meeting").click()
    checker.check("booking form, error", page.locator("#form-errors"))
    page.get_by_label("Title").fill("Plan")
    page.get_by_role("button", name="Book meeting").click()
    page.wait_for_url("**/meetings")
    checker.check("meetings, booked (message)")
    [on_cy] = meetbridge_events(team.sandbox, cy.email)
    team.sandbox.respond(cy.email, on_cy["id"], "declined")
    checker.visit("/meetings", "meetings, an answer and local times")
    page.get_by_text("Or type a new time").first.click()
    checker.check(
        "meetings, type a new time open", page.get_by_role("button", name="Move meeting").first
    )
    page.get_by_role("link", name="pick a new time").first.click()
    checker.check("find a time, rescheduling")
    page.locator("a.slot").first.click()
    checker.check("reschedule, confirm")
    page.get_by_label("New start (America/Toronto)").fill("2020-01-01T03:00")
    page.get_by_role("button", name="Move meeting").click()
    checker.check("reschedule, refused", page.locator(".error[role=alert]"))
    checker.visit("/no-such-page", "404")

    checker.visit("/settings/api-tokens", "api tokens, none")
    page.get_by_label("Name").fill("calendar script")
    page.get_by_label("Expires after (days)").fill("99999")
    page.get_by_role("button", name="Create token").click()
    checker.check("api tokens, error summary", page.locator("#token-problem"))
    page.get_by_label("Expires after (days)").fill("30")
    page.get_by_role("button", name="Create token").click()
    checker.check("api tokens, new token shown", page.locator("#new-token-value"))

    second = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9)))
    assert second.status_code == 201, second.json()
    assert api_as(ben).delete(f"/meetings/{second.json()['id']}").status_code in (200, 204)
    checker.visit("/meetings", "meetings, one cancelled")

    consent.revoke(ben)
    checker.visit("/me/calendar", "calendar access, not granted")
    checker.visit("/availability", "find a time, no access")
    assert not checker.problems, "\n".join(checker.problems)


def test_every_page_of_an_admin(sized_page, team):  # noqa: F811
    page = sized_page
    checker = Checker(page)
    sign_in(page, team.admin.email)
    checker.check("home (admin)")
    for path in ("/settings/integrations", "/members", "/audit", "/meetings", "/me/calendar"):
        checker.visit(path)
    page.goto("/audit")
    page.get_by_label("Show").select_option("meeting_repair")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**kind=meeting_repair**")
    checker.check("audit, filtered, empty")

    checker.visit("/members", "members")
    page.get_by_label("E-mail").fill("nia@elsewhere.test")
    page.get_by_role("button", name="Send invitation").click()
    checker.check("members, invitation refused", page.locator("#invite-problem"))
    page.get_by_label("E-mail").fill(f"nia@{team.tenant.domain}")
    page.get_by_role("button", name="Send invitation").click()
    checker.check("members, invitation link shown", page.locator("#just-invited-link"))
    link = page.locator("#just-invited-link").input_value()
    checker.visit(f"/members/people/{team.members[0].id}/remove", "members, remove a person")

    page.context.clear_cookies()  # signed out: the invited person opens the link
    checker.visit(link, "invitation")
    page.get_by_label("Your name").fill("Nia")
    page.get_by_label("New password").fill("a long enough password")
    page.get_by_label("Repeat the password").fill("not the same password")
    page.get_by_role("button", name="Join with this password").click()
    checker.check("invitation, error", page.locator(".error, .field-error").first)
    assert not checker.problems, "\n".join(checker.problems)


def test_every_state_of_the_integrations_page(
    sized_page,  # noqa: F811
    admin,
    sandbox,
    microsoft,
    google_settings,
    microsoft_settings,
):
    page = sized_page
    checker = Checker(page)
    sign_in(page, admin.email)
    checker.visit("/settings/integrations", "integrations, not connected")
    checker.visit("/settings/integrations?provider=google", "integrations, not connected, Google")
    page.get_by_role("button", name="Save").click()
    checker.check(
        "integrations, Google, nothing pasted (error)",
        page.locator(".key-form .error, .key-form .field-error").first,
    )
    checker.visit(
        "/settings/integrations?provider=microsoft", "integrations, not connected, Microsoft 365"
    )
    page.get_by_role("button", name="Save").click()
    checker.check(
        "integrations, Microsoft 365, nothing given (error)",
        page.locator(".key-form .error, .key-form .field-error").first,
    )

    setup = sandbox.quick_setup(admin.tenant.domain, [admin.email], delegate=False)

    def check_key() -> str:
        credential = connection.save_key(
            tenant=admin.tenant, actor=admin, provider="google", raw_key=setup.key
        )
        return verification.check_credential(credential.id, credential.check_round).status

    assert check_key() == "failed"  # delegation not applied yet: that heals by itself
    checker.visit("/settings/integrations", "integrations, waiting (amber)")
    expect(page.locator(".status-panel .status.pending", has_text="Waiting")).to_be_visible()

    sandbox.disable_service_account(setup.client_email)
    assert check_key() == "failed"  # for the admin to fix
    checker.visit("/settings/integrations", "integrations, needs you (red)")
    expect(page.locator(".status-panel .status.failed", has_text="Needs you")).to_be_visible()

    sandbox.disable_service_account(setup.client_email, disabled=False)
    sandbox.grant_delegation(setup.domain, setup.client_id, [SCOPE])
    assert check_key() == "verified"
    checker.visit("/settings/integrations", "integrations, verified")
    page.get_by_text("Set up Google Workspace").click()
    checker.check("integrations, verified, guide reopened", page.get_by_role("button", name="Save"))

    ms = microsoft.quick_setup(admin.tenant.domain, [admin.email], consent=False)
    credential = connection.save_key(
        tenant=admin.tenant, actor=admin, provider="microsoft", raw_key=credential_of(ms)
    )
    verification.check_credential(credential.id, credential.check_round)
    checker.visit("/settings/integrations", "integrations, Microsoft 365 refused, Google in use")
    assert not checker.problems, "\n".join(checker.problems)


def test_sign_in_with_google_and_microsoft_configured(
    sized_page,  # noqa: F811
    live_server,
    sandbox,
    microsoft,
    settings,
    admin,
):
    page = sized_page
    checker = Checker(page)
    client = sandbox.register_oauth_client([f"{live_server.url}/sign-in/google/callback"])
    settings.MEETBRIDGE = {
        **settings.MEETBRIDGE,
        "GOOGLE_OIDC_CLIENT_ID": client["client_id"],
        "GOOGLE_OIDC_CLIENT_SECRET": client["client_secret"],
        "GOOGLE_OIDC_DISCOVERY_URL": sandbox.discovery_url,
    }
    checker.visit("/sign-in", "sign-in with Google")
    expect(page.get_by_role("button", name="Sign in with Google")).to_be_visible()
    page.get_by_label("Work e-mail").fill(admin.email)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in", exact=True).click()
    checker.check("sign-in with Google, wrong password", page.locator("#sign-in-error"))
    checker.visit("/password-reset", "password reset")

    operator = microsoft.create_tenant("meetbridge-operator.test")
    app = microsoft.sign_in_app(
        operator["tenant_id"], [f"{live_server.url}/sign-in/microsoft/callback"]
    )
    sign_in_with_microsoft(settings, microsoft, app)
    checker.visit("/sign-in", "sign-in with Google and Microsoft")
    expect(page.get_by_role("button", name="Sign in with Microsoft")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in with Google")).to_be_visible()
    assert not checker.problems, "\n".join(checker.problems)
