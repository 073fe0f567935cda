"""Configuration rules, without Django."""

import json
import os
import stat
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from meetbridge.config import SQLITE_OPTIONS, ConfigError, database_settings, load_config


def test_local_mode_generates_secrets_once_and_reuses_them(tmp_path):
    env = {"MEETBRIDGE_VAR_DIR": str(tmp_path / "var")}
    first = load_config(env)
    second = load_config(env)
    assert first.is_local
    assert first.signing_key == second.signing_key
    assert first.encryption_keys == second.encryption_keys
    secrets_file = tmp_path / "var" / "secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert json.loads(secrets_file.read_text())["signing_key"] == first.signing_key


@pytest.mark.parametrize(
    "missing", ["MEETBRIDGE_SIGNING_KEY", "MEETBRIDGE_ENCRYPTION_KEYS", "MEETBRIDGE_ALLOWED_HOSTS"]
)
def test_production_refuses_to_start_without_each_explicit_secret(tmp_path, missing):
    env = {
        "MEETBRIDGE_MODE": "production",
        "MEETBRIDGE_VAR_DIR": str(tmp_path),
        "MEETBRIDGE_SIGNING_KEY": "k" * 50,
        "MEETBRIDGE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "MEETBRIDGE_ALLOWED_HOSTS": "meet.example.com",
    }
    del env[missing]
    with pytest.raises(ConfigError, match=missing):
        load_config(env)
    assert not (tmp_path / "secrets.json").exists()


def test_production_takes_keys_newest_first_and_hosts_from_the_environment(tmp_path):
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    config = load_config(
        {
            "MEETBRIDGE_MODE": "production",
            "MEETBRIDGE_VAR_DIR": str(tmp_path),
            "MEETBRIDGE_SIGNING_KEY": "k" * 50,
            "MEETBRIDGE_ENCRYPTION_KEYS": f"{new}, {old}",
            "MEETBRIDGE_ALLOWED_HOSTS": "meet.example.com,api.example.com",
            "DATABASE_URL": "postgresql://u@db/meetbridge",
        }
    )
    assert config.encryption_keys == (new, old)
    assert config.allowed_hosts == ("meet.example.com", "api.example.com")
    assert config.database_url == "postgresql://u@db/meetbridge"
    assert config.google_token_uri == "https://oauth2.googleapis.com/token"


def test_a_malformed_encryption_key_is_refused_with_how_to_make_one(tmp_path):
    with pytest.raises(ConfigError, match="Fernet.generate_key"):
        load_config(
            {"MEETBRIDGE_VAR_DIR": str(tmp_path), "MEETBRIDGE_ENCRYPTION_KEYS": "not-a-key"}
        )


def test_an_unknown_mode_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="MEETBRIDGE_MODE"):
        load_config({"MEETBRIDGE_MODE": "staging", "MEETBRIDGE_VAR_DIR": str(tmp_path)})


@pytest.mark.parametrize(
    "database_url",
    [None, "sqlite:///var/custom.sqlite3", "sqlite:////tmp/meetbridge-absolute.sqlite3"],
    ids=["default-path", "relative-url", "absolute-url"],
)
def test_every_sqlite_configuration_gets_the_safe_options(tmp_path, database_url):
    env = {"MEETBRIDGE_VAR_DIR": str(tmp_path)}
    if database_url:
        env["DATABASE_URL"] = database_url
    database = database_settings(load_config(env))
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["OPTIONS"] == SQLITE_OPTIONS
    assert database["CONN_MAX_AGE"] > 0
    assert database["TEST"]["NAME"].endswith(".sqlite3")  # a file, never in memory


def test_postgresql_keeps_its_own_options(tmp_path):
    env = {"MEETBRIDGE_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u@db:5432/mb"}
    database = database_settings(load_config(env))
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert "transaction_mode" not in database.get("OPTIONS", {})


def test_postgresql_prepares_statements_unless_turned_off_for_a_pooler(tmp_path):
    env = {"MEETBRIDGE_VAR_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u@db:5432/mb"}
    options = database_settings(load_config(env))["OPTIONS"]
    assert options["server_side_binding"] is True and options["prepare_threshold"] > 0
    off = database_settings(load_config(env | {"MEETBRIDGE_DATABASE_PREPARED_STATEMENTS": "0"}))
    assert "server_side_binding" not in off.get("OPTIONS", {})
    assert "prepare_threshold" not in off.get("OPTIONS", {})
    with pytest.raises(ConfigError, match="MEETBRIDGE_DATABASE_PREPARED_STATEMENTS"):
        load_config(env | {"MEETBRIDGE_DATABASE_PREPARED_STATEMENTS": "yes"})


def test_a_sqlite_database_url_opens_in_wal_with_a_busy_timeout(tmp_path):
    """The server's own settings module, given `DATABASE_URL=sqlite:///...` (the defect:
    without WAL and the timeout an audit write under load failed with 'database is locked')."""
    probe = (
        "import django; django.setup(); from django.db import connection; "
        "cursor = connection.cursor(); "
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0], "
        "cursor.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "meetbridge.settings",
        "MEETBRIDGE_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'placed-here.sqlite3'}",
    }
    env.pop("MEETBRIDGE_MODE", None)
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["wal", "20000"]


def production_env(tmp_path, **extra) -> dict[str, str]:
    return {
        "MEETBRIDGE_MODE": "production",
        "MEETBRIDGE_VAR_DIR": str(tmp_path),
        "MEETBRIDGE_SIGNING_KEY": "k" * 50,
        "MEETBRIDGE_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "MEETBRIDGE_ALLOWED_HOSTS": "meet.example.com",
        **extra,
    }


def test_production_refuses_debug_with_the_reason(tmp_path):
    with pytest.raises(ConfigError, match="MEETBRIDGE_DEBUG=1 is refused in production"):
        load_config(production_env(tmp_path, MEETBRIDGE_DEBUG="1"))
    assert load_config(production_env(tmp_path, MEETBRIDGE_DEBUG="0")).debug is False


def test_local_mode_may_debug(tmp_path):
    assert load_config({"MEETBRIDGE_VAR_DIR": str(tmp_path), "MEETBRIDGE_DEBUG": "1"}).debug


def test_a_flag_is_one_or_zero(tmp_path):
    with pytest.raises(ConfigError, match="MEETBRIDGE_ADMIN_ENABLED must be 1"):
        load_config(production_env(tmp_path, MEETBRIDGE_ADMIN_ENABLED="yes"))


def test_the_admin_is_off_in_production_unless_turned_on(tmp_path):
    assert load_config(production_env(tmp_path)).admin_enabled is False
    assert load_config(production_env(tmp_path, MEETBRIDGE_ADMIN_ENABLED="1")).admin_enabled
    assert load_config({"MEETBRIDGE_VAR_DIR": str(tmp_path)}).admin_enabled is True


def test_hsts_lasts_a_year_in_production_unless_set(tmp_path):
    assert load_config(production_env(tmp_path)).hsts_seconds == 365 * 24 * 3600
    assert load_config(production_env(tmp_path, MEETBRIDGE_HSTS_SECONDS="600")).hsts_seconds == 600
    assert load_config({"MEETBRIDGE_VAR_DIR": str(tmp_path)}).hsts_seconds == 0
    with pytest.raises(ConfigError, match="MEETBRIDGE_HSTS_SECONDS"):
        load_config(production_env(tmp_path, MEETBRIDGE_HSTS_SECONDS="1y"))


def test_sign_in_with_microsoft_defaults_to_the_organizations_authority_of_the_login_base(
    tmp_path,
):
    env = {"MEETBRIDGE_VAR_DIR": str(tmp_path)}
    assert load_config(env).microsoft_oidc_discovery_url == (
        "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"
    )
    sandbox = load_config(
        {**env, "MICROSOFT_LOGIN_BASE": "https://127.0.0.1:8443/microsoft/login/"}
    )
    assert sandbox.microsoft_oidc_discovery_url == (
        "https://127.0.0.1:8443/microsoft/login/organizations/v2.0/.well-known/openid-configuration"
    )
    chosen = load_config({**env, "MICROSOFT_OIDC_DISCOVERY_URL": "https://x.test/d", "MICROSOFT_OIDC_CLIENT_ID": " c "})  # fmt: skip
    assert chosen.microsoft_oidc_discovery_url == "https://x.test/d"
    assert chosen.microsoft_oidc_client_id == "c"


def test_the_booking_lease_is_two_minutes_unless_set_and_never_below_ten_seconds(tmp_path):
    assert load_config(production_env(tmp_path)).booking_lease_seconds == 120
    env = production_env(tmp_path, MEETBRIDGE_BOOKING_LEASE_SECONDS="15")
    assert load_config(env).booking_lease_seconds == 15
    with pytest.raises(ConfigError, match="MEETBRIDGE_BOOKING_LEASE_SECONDS must be a whole"):
        load_config(production_env(tmp_path, MEETBRIDGE_BOOKING_LEASE_SECONDS="3"))


def test_no_proxy_is_trusted_unless_one_is_declared(tmp_path):
    assert load_config(production_env(tmp_path)).trusted_proxies == 0
    assert load_config({"MEETBRIDGE_VAR_DIR": str(tmp_path)}).trusted_proxies == 0
    env = production_env(tmp_path, MEETBRIDGE_TRUSTED_PROXIES=" 2 ")
    assert load_config(env).trusted_proxies == 2


@pytest.mark.parametrize("bad", ["-1", "one", "1.5", "²", "11", "99999999999999999999"])
def test_a_bad_number_of_trusted_proxies_is_refused_saying_what_it_means(tmp_path, bad):
    with pytest.raises(
        ConfigError, match="MEETBRIDGE_TRUSTED_PROXIES must be the number of proxies"
    ):
        load_config(production_env(tmp_path, MEETBRIDGE_TRUSTED_PROXIES=bad))
