"""Schemathesis against a live server: no answer is a server error, and every answer is one
the OpenAPI document names, in the shape it gives.

A bounded number of examples per route and generation mode, as a tenant admin and as a
member, with their bearer tokens; `make fuzz` runs the same with many more examples
(MEETBRIDGE_FUZZ_EXAMPLES). Routes that destroy what the run stands on (disconnecting the
integration, revoking one's own calendar access, cancelling) run last, so the others see a
working tenant.
"""

from __future__ import annotations

import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from meetbridge.tenants.models import ApiToken
from tests.meetings.helpers import booking_body, next_weekday_at

EXAMPLES = int(os.environ.get("MEETBRIDGE_FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


def destroys_the_run(operation) -> bool:
    return operation.method.upper() == "DELETE" or operation.path.endswith("/verify")


def operations_in_run_order(schema):
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=destroys_the_run)


def fuzz_operation(operation, mode, call) -> list[str]:
    failures: list[str] = []
    where = f"{operation.method.upper()} {operation.path} [{mode}]"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not os.environ.get("MEETBRIDGE_FUZZ_RANDOM"),
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        try:
            call(case)
        except Exception as failure:  # noqa: BLE001 (every failure is reported at the end)
            lines = str(failure).strip().splitlines()
            failures.append(f"{where}: " + " | ".join(lines[:6]))

    run()
    return failures


def fuzz(schema, base_url: str, token: str) -> list[str]:
    """Every failure, one line each: the run goes on past a failure to find them all."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}

    def call(case):
        case.call_and_validate(
            base_url=base_url, session=session, headers=headers, checks=CHECKS, timeout=60
        )

    return [
        failure
        for operation in operations_in_run_order(schema)
        for mode in MODES
        for failure in fuzz_operation(operation, mode, call)
    ]


@pytest.fixture
def fuzzed_tenant(make_team, live_server):
    team = make_team(members=3)
    ben, cy = team.members[:2]
    # A real meeting, so reads and changes of meetings meet one as well as unknown ids.
    answer = requests.post(
        f"{live_server.url}/api/v1/meetings",
        json=booking_body([cy], next_weekday_at(10)),
        headers={"Authorization": f"Bearer {ApiToken.issue(ben)[1]}"},
        timeout=60,
    )
    assert answer.status_code == 201, answer.text
    return team


def test_the_api_answers_every_input_as_its_schema_says(fuzzed_tenant, live_server):
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    failures = []
    # The member first: the admin's run ends by disconnecting the tenant's integration.
    for person in (fuzzed_tenant.members[0], fuzzed_tenant.admin):
        token = ApiToken.issue(person)[1]
        failures += [f"as {person.email}: {f}" for f in fuzz(schema, live_server.url, token)]
    assert failures == [], "\n".join(sorted(set(failures)))
