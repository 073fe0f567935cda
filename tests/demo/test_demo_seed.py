"""Local mode's demo: seeded in the sandbox over its control API and in meetbridge's database."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from meetbridge import demo_week
from meetbridge.demo import DEMO_PASSWORD, KEY_FILE_NAME, NEWCOMER, seed_demo, welcome
from meetbridge.demo_week import DOMAIN, PEOPLE
from meetbridge.scheduling.consent import has_granted, time_zone_of
from meetbridge.tenants.models import Person, Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    # The demo sets five passwords per seed; Django's default hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_sandbox_gets_the_workspace_a_project_and_a_key_but_no_delegation(sandbox, tmp_path):
    info = seed_demo(sandbox_url=sandbox.url, var_dir=tmp_path)
    state = sandbox.state()
    workspace = next(w for w in state["workspaces"] if w["domain"] == DOMAIN)
    zones = {u["email"]: u["time_zone"] for u in workspace["users"]}
    assert zones == {p.email: p.time_zone for p in PEOPLE} | {NEWCOMER: demo_week.TENANT_ZONE}
    assert workspace["delegations"] == []
    account = next(a for a in state["service_accounts"] if a["client_id"] == info.client_id)
    key = json.loads(info.key_path.read_text())
    assert key["client_id"] == info.client_id
    assert key["private_key_id"] in account["private_key_ids"]
    assert key["token_uri"] == f"{sandbox.url}/token"


def test_the_key_file_is_written_under_var_for_its_owner_only(sandbox, tmp_path):
    info = seed_demo(sandbox_url=sandbox.url, var_dir=tmp_path)
    assert info.key_path == tmp_path / KEY_FILE_NAME
    assert stat.S_IMODE(info.key_path.stat().st_mode) == 0o600


def test_calendars_hold_the_demo_meetings(sandbox, tmp_path):
    seed_demo(sandbox_url=sandbox.url, var_dir=tmp_path)
    ben = sandbox.events_of("ben@northwind.test")
    summaries = {e["summary"] for e in ben}
    assert {"Team stand-up", "Customer workshop", "Product roadmap"} <= summaries
    roadmap = next(e for e in ben if e["summary"] == "Product roadmap")
    mine = next(a for a in roadmap["attendees"] if a["email"] == "ben@northwind.test")
    assert mine["responseStatus"] == "declined"


def test_meetbridge_gets_the_people_with_passwords_and_some_consents(sandbox, tmp_path, client):
    seed_demo(sandbox_url=sandbox.url, var_dir=tmp_path)
    tenant = Tenant.objects.get(domain=DOMAIN)
    for demo in PEOPLE:
        person = Person.objects.get(email=demo.email)
        assert person.tenant == tenant
        assert person.is_tenant_admin == demo.admin
        assert person.check_password(DEMO_PASSWORD)
        assert has_granted(person) == demo.granted
        if demo.granted:
            assert time_zone_of(person) == demo.time_zone


def test_a_restart_reseeds_the_empty_sandbox_and_keeps_meetbridges_people(sandbox, tmp_path):
    first = seed_demo(sandbox_url=sandbox.url, var_dir=tmp_path)
    ben = Person.objects.get(email="ben@northwind.test")
    events = len(sandbox.events_of("ben@northwind.test"))
    sandbox.reset()  # what a restart does to the in-memory sandbox

    second = seed_demo(sandbox_url=sandbox.url, var_dir=tmp_path)

    assert Person.objects.filter(tenant__domain=DOMAIN).count() == len(PEOPLE)
    assert Person.objects.get(email="ben@northwind.test").pk == ben.pk
    assert second.client_id != first.client_id
    assert json.loads(second.key_path.read_text())["client_id"] == second.client_id
    assert len(sandbox.events_of("ben@northwind.test")) == events


def test_the_welcome_names_the_sign_ins_the_key_file_and_the_steps(sandbox, tmp_path):
    info = seed_demo(sandbox_url=sandbox.url, var_dir=tmp_path)
    text = welcome("http://localhost:8123", info, cwd=tmp_path.parent)
    assert "http://localhost:8123/sign-in" in text
    assert "ana@northwind.test" in text and "ben@northwind.test" in text
    assert DEMO_PASSWORD in text
    assert str(Path(tmp_path.name) / KEY_FILE_NAME) in text
    assert info.client_id in text and info.console_url in text


def test_a_restart_removes_the_key_and_meetings_of_the_earlier_sandbox(sandbox, tmp_path):
    from meetbridge.audit.models import AuditEvent
    from meetbridge.integrations import connection, status
    from meetbridge.meetings.models import Booking

    first = seed_demo(sandbox_url=sandbox.url, var_dir=tmp_path)
    tenant = Tenant.objects.get(domain=DOMAIN)
    ana = Person.objects.get(email="ana@northwind.test")
    connection.save_key(
        tenant=tenant, actor=ana, provider="google", raw_key=first.key_path.read_text()
    )
    Booking.objects.create(
        tenant=tenant,
        organizer=ana,
        title="Booked in the last run",
        start="2030-01-07T14:00:00Z",
        end="2030-01-07T14:30:00Z",
    )
    sandbox.reset()

    second = seed_demo(sandbox_url=sandbox.url, var_dir=tmp_path)

    assert second.forgot_earlier_run
    assert status.integration_of(tenant) is None
    assert not Booking.objects.filter(tenant=tenant).exists()
    assert AuditEvent.objects.filter(tenant=tenant, operation="demo.sandbox_restarted").exists()
    assert "were removed" in welcome("http://localhost:8000", second)


def test_a_restart_forgets_the_sandbox_accounts_of_the_last_run(sandbox, tmp_path):
    """The sandbox's accounts get new `sub`s each start; old links would read as re-created."""
    from meetbridge.tenants.models import Identity

    seed_demo(sandbox_url=sandbox.url, var_dir=tmp_path)
    ana = Person.objects.get(email="ana@northwind.test")
    Identity.objects.create(person=ana, provider="google", subject="1" * 21, email=ana.email)
    sandbox.reset()
    seed_demo(sandbox_url=sandbox.url, var_dir=tmp_path)
    assert not Identity.objects.filter(person=ana).exists()


def test_local_mode_registers_a_sign_in_client_for_both_local_host_names(sandbox):
    from meetbridge.demo import register_sign_in_client

    client = register_sign_in_client(sandbox.url, 8123)
    assert client["redirect_uris"] == [
        "http://localhost:8123/sign-in/google/callback",
        "http://127.0.0.1:8123/sign-in/google/callback",
    ]
