"""Configuration from the environment (twelve-factor), as plain data.

No Django import here: `settings.py` turns a `Config` into Django settings, and the rules
(production refuses to start without explicit secrets, local mode generates its own) are
tested without a web framework.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

LOCAL = "local"
PRODUCTION = "production"
DEFAULT_GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
DEFAULT_GOOGLE_API_BASE = "https://www.googleapis.com"
DEFAULT_GOOGLE_OIDC_DISCOVERY_URL = "https://accounts.google.com/.well-known/openid-configuration"
DEFAULT_MICROSOFT_LOGIN_BASE = "https://login.microsoftonline.com"
DEFAULT_MICROSOFT_GRAPH_BASE = "https://graph.microsoft.com"
DEFAULT_HSTS_SECONDS = 365 * 24 * 60 * 60
REQUIRED_IN_PRODUCTION = (
    "MEETBRIDGE_SIGNING_KEY",
    "MEETBRIDGE_ENCRYPTION_KEYS",
    "MEETBRIDGE_ALLOWED_HOSTS",
)


class ConfigError(Exception):
    """The environment cannot run meetbridge; the message says what to set."""


@dataclass(frozen=True)
class Config:
    mode: str
    var_dir: Path
    signing_key: str
    encryption_keys: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    database_url: str | None
    redis_url: str | None
    google_token_uri: str
    google_api_base: str
    microsoft_login_base: str = DEFAULT_MICROSOFT_LOGIN_BASE
    microsoft_graph_base: str = DEFAULT_MICROSOFT_GRAPH_BASE
    microsoft_ca_bundle: str | None = None
    debug: bool = False
    sweep_grace_seconds: int = 60
    booking_lease_seconds: int = 120
    sweep_max_tries: int = 8
    audit_retention_days: int = 400
    extra: dict[str, str] = field(default_factory=dict)
    # People and sign-in (docs/operator-guide.md).
    google_oidc_client_id: str = ""
    google_oidc_client_secret: str = ""
    google_oidc_discovery_url: str = DEFAULT_GOOGLE_OIDC_DISCOVERY_URL
    microsoft_oidc_client_id: str = ""
    microsoft_oidc_client_secret: str = ""
    microsoft_oidc_discovery_url: str = ""  # default: the `organizations` authority
    public_url: str = ""
    email_url: str = ""
    freebusy_cache_seconds: int = 30
    # PostgreSQL: parameters bound by the server and statements prepared once per connection.
    database_prepared_statements: bool = True
    # Hardening (docs/operator-guide.md, "Security headers and the admin").
    admin_enabled: bool = False
    hsts_seconds: int = 0
    trusted_proxies: int = 0  # proxies in front of meetbridge that add to X-Forwarded-For

    @property
    def is_local(self) -> bool:
        return self.mode == LOCAL


def _flag(env: dict[str, str], name: str, *, default: bool) -> bool:
    value = env.get(name, "").strip()
    if not value:
        return default
    if value not in ("0", "1"):
        raise ConfigError(f"{name} must be 1 (on) or 0 (off), not {value!r}.")
    return value == "1"


def _whole_number(env: dict[str, str], name: str, *, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        raise ConfigError(f"{name} must be a whole number of seconds, not {value!r}.")
    return int(value)


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def validate_encryption_key(key: str) -> None:
    try:
        Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ConfigError(
            "MEETBRIDGE_ENCRYPTION_KEYS holds a key that is not 32 bytes of URL-safe base64; "
            "generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from exc


def local_secrets(var_dir: Path) -> dict[str, str]:
    """Secrets for local mode, generated into var/ on first start and reused afterwards."""
    path = var_dir / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    var_dir.mkdir(parents=True, exist_ok=True)
    generated = {
        "signing_key": secrets.token_urlsafe(50),
        "encryption_key": Fernet.generate_key().decode("ascii"),
    }
    # Written with owner-only permissions: these encrypt the tenants' Google keys.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(generated, handle)
    return generated


def _count(env: dict[str, str], name: str, default: int, *, least: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < least:
        raise ConfigError(f"{name} must be a whole number of at least {least}, not {raw!r}.")
    return int(raw)


def _base(env: dict[str, str], name: str, default: str) -> str:
    return (env.get(name, "").strip() or default).rstrip("/")


def microsoft_organizations_discovery(login_base: str) -> str:
    """Sign in with Microsoft's default authority: work and school accounts of any directory
    (meetbridge then admits only the directories its tenants connected)."""
    return f"{login_base}/organizations/v2.0/.well-known/openid-configuration"


def _ca_bundle(env: dict[str, str]) -> str | None:
    path = env.get("MICROSOFT_CA_BUNDLE", "").strip()
    if path and not Path(path).is_file():
        raise ConfigError(
            f"MICROSOFT_CA_BUNDLE names {path!r}, which is not a file; give a PEM file of "
            "certificate authorities, or leave it unset to trust the system's."
        )
    return path or None


def load_config(environ: dict[str, str] | None = None) -> Config:
    env = dict(os.environ if environ is None else environ)
    mode = env.get("MEETBRIDGE_MODE", LOCAL).strip().lower() or LOCAL
    if mode not in (LOCAL, PRODUCTION):
        raise ConfigError(f"MEETBRIDGE_MODE must be 'local' or 'production', not {mode!r}.")
    var_dir = Path(env.get("MEETBRIDGE_VAR_DIR", "var")).resolve()

    if mode == PRODUCTION:
        missing = [name for name in REQUIRED_IN_PRODUCTION if not env.get(name, "").strip()]
        if missing:
            raise ConfigError(
                "Production mode refuses to start without explicit secrets; set "
                + ", ".join(missing)
                + " (see docs/operator-guide.md)."
            )
        signing_key = env["MEETBRIDGE_SIGNING_KEY"].strip()
        encryption_keys = _split(env["MEETBRIDGE_ENCRYPTION_KEYS"])
        allowed_hosts = _split(env["MEETBRIDGE_ALLOWED_HOSTS"])
    else:
        generated = (
            local_secrets(var_dir)
            if not env.get("MEETBRIDGE_SIGNING_KEY") or not env.get("MEETBRIDGE_ENCRYPTION_KEYS")
            else {}
        )
        signing_key = env.get("MEETBRIDGE_SIGNING_KEY", "").strip() or generated["signing_key"]
        encryption_keys = _split(env.get("MEETBRIDGE_ENCRYPTION_KEYS", "")) or (
            generated["encryption_key"],
        )
        allowed_hosts = _split(env.get("MEETBRIDGE_ALLOWED_HOSTS", "")) or (
            "localhost",
            "127.0.0.1",
            "[::1]",
            "testserver",
        )

    debug = _flag(env, "MEETBRIDGE_DEBUG", default=False)
    if debug and mode == PRODUCTION:
        raise ConfigError(
            "MEETBRIDGE_DEBUG=1 is refused in production mode: debug pages show settings, "
            "code and request data to anyone who triggers an error. Unset it, or run in local "
            "mode."
        )
    if not encryption_keys:
        raise ConfigError("MEETBRIDGE_ENCRYPTION_KEYS is empty; give at least one key.")
    for key in encryption_keys:
        validate_encryption_key(key)

    return Config(
        mode=mode,
        var_dir=var_dir,
        signing_key=signing_key,
        encryption_keys=encryption_keys,
        allowed_hosts=allowed_hosts,
        database_url=env.get("DATABASE_URL", "").strip() or None,
        redis_url=env.get("REDIS_URL", "").strip() or None,
        google_token_uri=env.get("GOOGLE_TOKEN_URI", "").strip() or DEFAULT_GOOGLE_TOKEN_URI,
        google_api_base=(env.get("GOOGLE_API_BASE", "").strip() or DEFAULT_GOOGLE_API_BASE).rstrip(
            "/"
        ),
        microsoft_login_base=_base(env, "MICROSOFT_LOGIN_BASE", DEFAULT_MICROSOFT_LOGIN_BASE),
        microsoft_graph_base=_base(env, "MICROSOFT_GRAPH_BASE", DEFAULT_MICROSOFT_GRAPH_BASE),
        microsoft_ca_bundle=_ca_bundle(env),
        debug=debug,
        google_oidc_client_id=env.get("GOOGLE_OIDC_CLIENT_ID", "").strip(),
        google_oidc_client_secret=env.get("GOOGLE_OIDC_CLIENT_SECRET", "").strip(),
        google_oidc_discovery_url=env.get("GOOGLE_OIDC_DISCOVERY_URL", "").strip()
        or DEFAULT_GOOGLE_OIDC_DISCOVERY_URL,
        microsoft_oidc_client_id=env.get("MICROSOFT_OIDC_CLIENT_ID", "").strip(),
        microsoft_oidc_client_secret=env.get("MICROSOFT_OIDC_CLIENT_SECRET", "").strip(),
        microsoft_oidc_discovery_url=env.get("MICROSOFT_OIDC_DISCOVERY_URL", "").strip()
        or microsoft_organizations_discovery(
            _base(env, "MICROSOFT_LOGIN_BASE", DEFAULT_MICROSOFT_LOGIN_BASE)
        ),
        public_url=env.get("MEETBRIDGE_PUBLIC_URL", "").strip().rstrip("/"),
        email_url=env.get("EMAIL_URL", "").strip(),
        database_prepared_statements=_flag(
            env, "MEETBRIDGE_DATABASE_PREPARED_STATEMENTS", default=True
        ),
        sweep_grace_seconds=_count(env, "MEETBRIDGE_SWEEP_GRACE_SECONDS", 60, least=0),
        booking_lease_seconds=_count(env, "MEETBRIDGE_BOOKING_LEASE_SECONDS", 120, least=10),
        sweep_max_tries=_count(env, "MEETBRIDGE_SWEEP_MAX_TRIES", 8, least=1),
        audit_retention_days=_count(env, "MEETBRIDGE_AUDIT_RETENTION_DAYS", 400, least=1),
        freebusy_cache_seconds=_freebusy_cache_seconds(env),
        # The Django admin is one more login form: off in production unless asked for.
        admin_enabled=_flag(env, "MEETBRIDGE_ADMIN_ENABLED", default=mode == LOCAL),
        hsts_seconds=_whole_number(
            env,
            "MEETBRIDGE_HSTS_SECONDS",
            default=DEFAULT_HSTS_SECONDS if mode == PRODUCTION else 0,
        ),
        trusted_proxies=_trusted_proxies(env),
    )


MAX_TRUSTED_PROXIES = 10


def _trusted_proxies(env: dict[str, str]) -> int:
    raw = env.get("MEETBRIDGE_TRUSTED_PROXIES", "").strip() or "0"
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_TRUSTED_PROXIES:
        raise ConfigError(
            "MEETBRIDGE_TRUSTED_PROXIES must be the number of proxies in front of meetbridge "
            f"that add the client's address to X-Forwarded-For, 0 (none, the default) to "
            f"{MAX_TRUSTED_PROXIES}, not {raw!r}."
        )
    return int(raw)


def _freebusy_cache_seconds(env: dict[str, str]) -> int:
    raw = env.get("MEETBRIDGE_FREEBUSY_CACHE_SECONDS", "").strip() or "30"
    try:
        seconds = int(raw)
    except ValueError:
        seconds = -1
    if not 0 <= seconds <= 3600:
        raise ConfigError(
            "MEETBRIDGE_FREEBUSY_CACHE_SECONDS must be whole seconds from 0 (no reuse) to 3600."
        )
    return seconds


# Every SQLite database gets these, however it is named (the default file, or a
# `DATABASE_URL=sqlite:///...`): WAL lets readers and one writer share the file, the busy
# timeout makes a writer wait its turn instead of failing with "database is locked", and
# immediate transactions take the write lock up front, so two writers never deadlock upgrading.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
CONN_MAX_AGE_SECONDS = 60
# Parameters sent apart from the statement text (so the text repeats), and a statement prepared
# the fifth time a connection runs it (psycopg's own default, which Django turns off).
POSTGRES_PREPARED = {"server_side_binding": True, "prepare_threshold": 5}


def database_settings(config: Config) -> dict:
    """Django's `DATABASES["default"]` for this configuration."""
    import dj_database_url  # no Django import: parsing a URL only

    if config.database_url:
        # Health checks: a connection kept across a database restart is found dead before a
        # request uses it, instead of failing that request.
        database = dj_database_url.parse(
            config.database_url, conn_max_age=CONN_MAX_AGE_SECONDS, conn_health_checks=True
        )
    else:
        database = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(config.var_dir / "meetbridge.sqlite3"),
            "CONN_MAX_AGE": CONN_MAX_AGE_SECONDS,
        }
    if "postgresql" in database["ENGINE"] and config.database_prepared_statements:
        # The statements every request makes (its token, the people asked about, the audit
        # entry) are parsed and planned once per connection instead of every time: a quarter of
        # PostgreSQL's CPU per answer (docs/decisions.md). Django leaves psycopg's automatic
        # preparation off unless asked; behind PgBouncer in transaction mode, turn it off.
        database["OPTIONS"] = {**POSTGRES_PREPARED, **database.get("OPTIONS", {})}
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["OPTIONS"] = {**SQLITE_OPTIONS, **database.get("OPTIONS", {})}
        # Tests get a file too: threads sharing an in-memory database fail at once with
        # "table is locked" instead of waiting their turn like the real server's threads.
        database.setdefault("TEST", {}).setdefault("NAME", str(config.var_dir / "test.sqlite3"))
    return database
