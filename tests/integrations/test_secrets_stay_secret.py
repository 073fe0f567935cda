"""The private key is never readable in the database, an answer, a page or a log line."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.test import Client

from meetbridge.integrations.access import provider_for

transactional = pytest.mark.django_db(transaction=True)


def key_material(key: dict) -> list[str]:
    """Every line of the PEM body: finding any one of them anywhere is a leak."""
    return [
        line for line in key["private_key"].splitlines() if line and not line.startswith("-----")
    ]


def database_text() -> str:
    rows = []
    for model in apps.get_models():
        rows.extend(str(row) for row in model.objects.values())
    return "\n".join(rows)


@transactional
def test_the_private_key_never_leaks(
    admin, admin_api, member, tenant, sandbox, workspace, google_settings, jobs, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    browser = Client()
    browser.force_login(admin)

    # A broken key (the PEM cut short) is refused without quoting it.
    broken = {**workspace.key, "private_key": workspace.key["private_key"][:900]}
    seen.append(
        admin_api.put(
            "/integration", {"provider": "google", "service_account_key": broken}
        ).content.decode()
    )
    seen.append(
        browser.post(
            "/settings/integrations", {"provider": "google", "key_text": json.dumps(broken)}
        ).content.decode()
    )

    # A failing check, a passing one, real calendar use, and every page and answer after.
    sandbox.revoke_delegation(workspace.domain, workspace.client_id)
    seen.append(
        admin_api.put(
            "/integration", {"provider": "google", "service_account_key": workspace.key}
        ).content.decode()
    )
    jobs.run_due()
    sandbox.grant_delegation(workspace.domain, workspace.client_id)
    jobs.run_due(now=datetime.now(UTC) + timedelta(minutes=2))
    now = datetime.now(UTC)
    provider_for(tenant, member).free_busy(
        as_email=member.email, emails=[admin.email], start=now, end=now + timedelta(hours=1)
    )
    for path in ("/integration", "/audit", "/members", "/openapi.json"):
        seen.append(admin_api.get(path).content.decode())
    for path in ("/settings/integrations", "/settings/integrations/status"):
        seen.append(browser.get(path).content.decode())
    assert '"status": "verified"' in seen[-6] or '"status":"verified"' in seen[-6]

    stored = database_text()
    assert "PRIVATE KEY" not in stored
    captured = capsys.readouterr()
    places = {
        "responses and pages": "\n".join(seen),
        "database": stored,
        "log records": caplog.text,
        "stdout and stderr": captured.out + captured.err,
    }
    for where, text in places.items():
        for line in key_material(workspace.key):
            assert line not in text, f"private key material found in {where}"
