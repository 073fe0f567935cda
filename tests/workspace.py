"""A tenant connected to the sandbox's Google Workspace, with colleagues who granted access.

Loaded as a pytest plugin from tests/conftest.py. `workspace` gives the `tenant` fixture's
Acme with a verified Google integration (a real key from the sandbox, verified through the
real provider) and members who granted calendar access; `make_workspace(members=N)` gives
more people. Google's endpoints point at the sandbox and retries wait milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from meetbridge.integrations import service as integrations
from meetbridge.scheduling.models import CalendarAccess
from meetbridge.tenants.models import Person, Tenant
from meetbridge.tenants.service import add_person
from workspace_sandbox.client import Sandbox, Setup

MEMBER_NAMES = ["ben", "cy", "dee", "eli", "fay", "gus", "hal", "ivy", "jo", "kit", "lou", "max"]


@dataclass
class Workspace:
    sandbox: Sandbox
    setup: Setup
    tenant: Tenant
    admin: Person
    members: list[Person] = field(default_factory=list)

    @property
    def people(self) -> list[Person]:
        return [self.admin, *self.members]

    def events_of(self, person: Person) -> list[dict]:
        return self.sandbox.events_of(person.email)


def grant_calendar_access(person: Person, time_zone: str = "") -> CalendarAccess:
    access, _ = CalendarAccess.objects.update_or_create(
        person=person, defaults={"granted": True, "time_zone": time_zone}
    )
    person.calendar_access = access
    return access


def connect_google(sandbox: Sandbox, tenant: Tenant, admin: Person, emails: list[str]) -> Setup:
    """The seed's three steps in the sandbox, then the key saved and verified right away."""
    setup = sandbox.quick_setup(tenant.domain, emails)
    credential = integrations.save_key(
        tenant=tenant, actor=admin, provider="google", raw_key=setup.key
    )
    result = integrations.check_credential(credential.id, credential.check_round)
    assert result is not None and result.status == "verified", result
    return setup


@pytest.fixture
def google_in_sandbox(settings, sandbox) -> Sandbox:
    """meetbridge's Google settings pointed at the sandbox, with quick retries."""
    settings.MEETBRIDGE = {
        **settings.MEETBRIDGE,
        "GOOGLE_TOKEN_URI": sandbox.token_uri,
        "GOOGLE_API_BASE": sandbox.url,
        "GOOGLE_RETRY_BASE_SECONDS": 0.005,
        "GOOGLE_RETRY_MAX_SECONDS": 0.05,
    }
    return sandbox


@pytest.fixture
def make_workspace(google_in_sandbox, tenant, admin):
    def make(members: int = 3) -> Workspace:
        people = [
            add_person(tenant=tenant, email=f"{name}@{tenant.domain}", name=name.title())
            for name in (
                MEMBER_NAMES[:members]
                if members <= len(MEMBER_NAMES)
                else [f"member{i}" for i in range(members)]
            )
        ]
        setup = connect_google(
            google_in_sandbox, tenant, admin, [admin.email] + [p.email for p in people]
        )
        for person in [admin, *people]:
            grant_calendar_access(person)
        return Workspace(google_in_sandbox, setup, tenant, admin, people)

    return make


@pytest.fixture
def workspace(make_workspace) -> Workspace:
    return make_workspace()
