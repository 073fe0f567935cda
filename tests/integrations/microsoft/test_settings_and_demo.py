"""MICROSOFT_* settings, the sandbox command's HTTPS option, and local mode's Microsoft demo."""

from __future__ import annotations

import json
from datetime import date

import msal
import pytest

from meetbridge.cli import build_parser
from meetbridge.config import ConfigError, load_config
from meetbridge.demo_microsoft import seed_microsoft_demo
from meetbridge.demo_week import DOMAIN, PEOPLE
from meetbridge.integrations.providers.microsoft.credential import parse_credential

LOCAL = {"MEETBRIDGE_MODE": "local", "MEETBRIDGE_SIGNING_KEY": "x" * 50,
         "MEETBRIDGE_ENCRYPTION_KEYS": "sV0q8QTw6Yq3uA2fGfLQJ6b5wXn5e8m1bXcQmK9pZ2U="}  # fmt: skip


def test_defaults_are_microsofts_own():
    config = load_config(LOCAL)
    assert config.microsoft_login_base == "https://login.microsoftonline.com"
    assert config.microsoft_graph_base == "https://graph.microsoft.com"
    assert config.microsoft_ca_bundle is None


def test_bases_and_bundle_from_the_environment(tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    config = load_config({**LOCAL, "MICROSOFT_LOGIN_BASE": "https://l.test/x/", "MICROSOFT_GRAPH_BASE": "https://g.test/", "MICROSOFT_CA_BUNDLE": str(bundle)})  # fmt: skip
    assert (config.microsoft_login_base, config.microsoft_graph_base) == (
        "https://l.test/x",
        "https://g.test",
    )
    assert config.microsoft_ca_bundle == str(bundle)


def test_a_missing_bundle_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="MICROSOFT_CA_BUNDLE"):
        load_config({**LOCAL, "MICROSOFT_CA_BUNDLE": str(tmp_path / "nope.pem")})


def test_sandbox_command_takes_an_https_port():
    args = build_parser().parse_args(["sandbox", "--port", "9001", "--https-port", "9443"])
    assert (args.port, args.https_port) == (9001, 9443)
    assert build_parser().parse_args(["sandbox"]).https_port == 0


def test_demo_directory_has_everyone_and_no_consent_yet(microsoft, tmp_path, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    demo = seed_microsoft_demo(microsoft.url, tmp_path, today=date(2030, 3, 4))
    state = microsoft.state()
    (tenant,) = state["tenants"]
    assert tenant["domain"] == DOMAIN
    assert {u["email"] for u in tenant["users"]} == {p.email for p in PEOPLE}
    assert tenant["consents"] == {}
    assert any(microsoft.events_of(p.email) for p in PEOPLE)
    values = json.loads(demo.app_path.read_text())
    assert oct(demo.app_path.stat().st_mode & 0o777) == "0o600"
    assert set(values) == {"tenant_id", "client_id", "certificate", "private_key"}
    assert set(json.loads(demo.secret_path.read_text())) == {
        "tenant_id",
        "client_id",
        "client_secret",
        "expires_at",
    }
    parse_credential(values)  # what the Integrations page takes, as it is
    parse_credential(json.loads(demo.secret_path.read_text()))
    app = msal.ConfidentialClientApplication(
        values["client_id"], authority=f"{microsoft.login_base}/{values['tenant_id']}",
        client_credential={"private_key": values["private_key"], "public_certificate": values["certificate"]},
        instance_discovery=False, verify=microsoft.ca_path,
    )  # fmt: skip
    assert "access_token" in app.acquire_token_for_client(["https://graph.microsoft.com/.default"])
