"""A connected tenant whose members granted calendar access: people who can book meetings.

Registered for the whole suite in tests/conftest.py, on top of `connected`
(tests/integrations/support.py: Acme's Google integration verified against the sandbox):
- `team`: Ana (admin), Ben (the `member` fixture), Cy and Dee, all users of the sandbox's
  Workspace who granted meetbridge access to their calendars.
- `make_team(members=N)`: the same with N members (Ben first).
- `make_microsoft_team(members=N)`: the same people, with Acme connected to Microsoft 365 (the
  sandbox's stand-in: a directory with their mailboxes, an app with a client secret and admin
  consent); `team.sandbox` is then the `MicrosoftSandbox`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from meetbridge.integrations import connection, verification
from meetbridge.scheduling import consent
from meetbridge.tenants.models import Person, Tenant
from meetbridge.tenants.service import add_person
from workspace_sandbox.client import Sandbox, Setup

MORE_NAMES = ["cy", "dee", "eli", "fay", "gus", "hal", "ivy", "jo", "kit", "lou", "max", "ned"]


@dataclass
class Team:
    sandbox: Sandbox
    setup: Setup
    tenant: Tenant
    admin: Person
    members: list[Person] = field(default_factory=list)

    @property
    def people(self) -> list[Person]:
        return [self.admin, *self.members]


def more_names(count: int) -> list[str]:
    if count <= len(MORE_NAMES):
        return MORE_NAMES[:count]
    return [f"member{i}" for i in range(count)]


def add_members(tenant: Tenant, count: int) -> list[Person]:
    return [
        add_person(tenant=tenant, email=f"{name}@{tenant.domain}", name=name.title())
        for name in more_names(count)
    ]


@pytest.fixture
def make_team(sandbox, connected, tenant, admin, member):
    def make(members: int = 3) -> Team:
        others = add_members(tenant, members - 1)
        for person in others:
            sandbox.add_user(tenant.domain, person.email)
        people = [member, *others]
        for person in [admin, *people]:
            consent.grant(person)
        return Team(sandbox, connected, tenant, admin, people)

    return make


@pytest.fixture
def make_microsoft_team(microsoft_settings, microsoft, tenant, admin, member):
    def make(members: int = 3) -> Team:
        people = [member, *add_members(tenant, members - 1)]
        setup = microsoft.quick_setup(tenant.domain, [p.email for p in [admin, *people]])
        credential = connection.save_key(
            tenant=tenant,
            actor=admin,
            provider="microsoft",
            raw_key={
                "tenant_id": setup.tenant_id,
                "client_id": setup.client_id,
                "client_secret": setup.secret,
            },
        )
        result = verification.check_credential(credential.id, credential.check_round)
        assert result is not None and result.status == "verified", result
        for person in [admin, *people]:
            consent.grant(person)
        return Team(microsoft, setup, tenant, admin, people)

    return make


@pytest.fixture
def team(make_team) -> Team:
    return make_team()
