"""A tenant connected to the Google Workspace sandbox, and members who grant calendar access."""

from __future__ import annotations

import pytest

from meetbridge.integrations.providers.google.tokens import TOKENS
from meetbridge.integrations.service import check_credential, save_key
from meetbridge.scheduling import consent
from meetbridge.tenants.models import Person
from meetbridge.tenants.service import add_person


@pytest.fixture
def google(sandbox, settings):
    """meetbridge pointed at the sandbox, as local mode points it."""
    settings.MEETBRIDGE = {
        **settings.MEETBRIDGE,
        "GOOGLE_TOKEN_URI": sandbox.token_uri,
        "GOOGLE_API_BASE": sandbox.url,
        "GOOGLE_RETRY_BASE_SECONDS": 0.01,
    }
    return sandbox


@pytest.fixture
def workspace(google, tenant, admin):
    """The tenant's Workspace in the sandbox, its key saved in meetbridge and verified."""
    setup = google.quick_setup(tenant.domain, [admin.email])
    credential = save_key(tenant=tenant, actor=admin, provider="google", raw_key=setup.key)
    TOKENS.forget_credential(credential.cache_key)  # ids repeat across rolled-back tests
    result = check_credential(credential.id, credential.check_round)
    assert result.status == "verified", result.problem
    return setup


@pytest.fixture
def colleague(tenant, workspace, google):
    """Makes someone in the tenant and in the Workspace; grants access unless told not to."""

    def make(email, name="", *, time_zone=None, working_hours=None, grant=True) -> Person:
        person = add_person(tenant=tenant, email=email, name=name)
        google.add_user(tenant.domain, email)
        if grant:
            consent.grant(person, time_zone=time_zone, working_hours=working_hours)
        return person

    return make
