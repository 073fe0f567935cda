"""Members who grant calendar access, in a tenant connected to the Google Workspace sandbox.

`connected` (the tenant's key saved and verified) comes from tests/integrations/support.py.
"""

from __future__ import annotations

import pytest

from meetbridge.scheduling import consent
from meetbridge.tenants.models import Person
from meetbridge.tenants.service import add_person


@pytest.fixture
def colleague(tenant, connected, sandbox):
    """Makes someone in the tenant and in the Workspace; grants access unless told not to."""

    def make(email, name="", *, time_zone=None, working_hours=None, grant=True) -> Person:
        person = add_person(tenant=tenant, email=email, name=name)
        sandbox.add_user(tenant.domain, email)
        if grant:
            consent.grant(person, time_zone=time_zone, working_hours=working_hours)
        return person

    return make
