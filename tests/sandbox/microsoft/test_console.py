"""The console's Microsoft page does the Entra admin steps."""

from __future__ import annotations

import re

import requests


def _post(microsoft, path, **form):
    return requests.post(f"{microsoft.url}/console/microsoft/{path}", data=form, timeout=10)


def test_page_lists_directories_and_apps(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"], consent=False)
    page = requests.get(f"{microsoft.url}/console/microsoft", timeout=10).text
    assert "contoso.test" in page and setup.client_id in page
    assert setup.secret not in page  # a hint, never the secret
    assert "/console/microsoft" in requests.get(f"{microsoft.url}/", timeout=10).text


def test_grant_and_revoke_consent(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"], consent=False)
    answer = _post(microsoft, "consent", tenant_id=setup.tenant_id, client_id=setup.client_id, roles="Calendars.ReadWrite", action="grant")  # fmt: skip
    assert "granted" in answer.text
    assert microsoft.state()["tenants"][0]["consents"] == {setup.client_id: ["Calendars.ReadWrite"]}
    _post(
        microsoft, "consent", tenant_id=setup.tenant_id, client_id=setup.client_id, action="revoke"
    )
    assert microsoft.state()["tenants"][0]["consents"] == {setup.client_id: []}


def test_unknown_permission_and_unknown_app_say_so(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"], consent=False)
    bad_role = _post(microsoft, "consent", tenant_id=setup.tenant_id, client_id=setup.client_id, roles="Everything", action="grant")  # fmt: skip
    assert "known application permissions" in bad_role.text
    bad_app = _post(microsoft, "consent", tenant_id=setup.tenant_id, client_id="nope", roles="Calendars.Read")  # fmt: skip
    assert "No app registration" in bad_app.text


def test_access_policy_and_app_switch(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test", "lee@contoso.test"])
    _post(microsoft, "access-policy", tenant_id=setup.tenant_id, client_id=setup.client_id, allowed="adele@contoso.test", action="set")  # fmt: skip
    policies = microsoft.state()["tenants"][0]["access_policies"]
    assert policies == {setup.client_id: ["adele@contoso.test"]}
    _post(microsoft, "app", client_id=setup.client_id, disabled="true")
    assert microsoft.state()["apps"][0]["disabled"] is True


def test_new_secret_is_shown_once_on_the_page_and_works(microsoft):
    setup = microsoft.quick_setup("contoso.test", ["adele@contoso.test"])
    answer = _post(microsoft, "secret", client_id=setup.client_id)
    secret = re.search(r'<code id="new-secret">([^<]+)</code>', answer.text).group(1)
    assert secret not in answer.url
    assert len(microsoft.state()["apps"][0]["secrets"]) == 2
