"""Django settings, derived from `meetbridge.config.Config` (environment variables)."""

from __future__ import annotations

import os

from csp.constants import NONE, SELF

from meetbridge.config import database_settings, load_config
from meetbridge.integrations.providers import template_dirs as provider_template_dirs

CONFIG = load_config()

BASE_DIR = CONFIG.var_dir
SECRET_KEY = CONFIG.signing_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)

INSTALLED_APPS = [
    "django.contrib.admin",
    # Serves the API docs' Swagger UI and Redoc from this site, not from a CDN.
    "ninja",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "meetbridge.tenants",
    "meetbridge.jobs",
    "meetbridge.audit",
    "meetbridge.integrations",
    "meetbridge.scheduling",
    "meetbridge.meetings",
    "meetbridge.web",
    "meetbridge.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "meetbridge.security.headers.PrivateAnswersMiddleware",
    "meetbridge.api.middleware.ApiErrorShapeMiddleware",
    "meetbridge.api.outage.OutageMiddleware",
    # Every credential-use entry of a request is written here, before it is answered.
    "meetbridge.audit.middleware.AuditMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "meetbridge.urls"
WSGI_APPLICATION = "meetbridge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": provider_template_dirs(),
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

CONFIG.var_dir.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": database_settings(CONFIG)}
# Lets several checkouts run their PostgreSQL suites side by side without sharing a test database.
if os.environ.get("MEETBRIDGE_TEST_DATABASE_NAME"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ[
        "MEETBRIDGE_TEST_DATABASE_NAME"
    ]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "tenants.Person"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link works for a day

# Mail: EMAIL_URL (smtp://, smtp+tls://, smtp+ssl://); local mode keeps mail as files under
# var/mail/, shown on the local Mail page; production without EMAIL_URL sends nothing.
DEFAULT_FROM_EMAIL = "meetbridge <meetbridge@localhost>"
if CONFIG.email_url:
    from meetbridge.mail.url import parse_email_url

    globals().update(parse_email_url(CONFIG.email_url))
elif CONFIG.is_local:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(CONFIG.var_dir / "mail")
else:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(CONFIG.var_dir / "static")
(CONFIG.var_dir / "static").mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not CONFIG.is_local:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Sent only on answers to requests that came over TLS (directly, or as the proxy's
# X-Forwarded-Proto says in production): MEETBRIDGE_HSTS_SECONDS, a year by default there.
SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Only this site's own scripts, styles and images; no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The Django admin is mounted only when this is on (urls.py; docs/operator-guide.md).
MEETBRIDGE_ADMIN_ENABLED = CONFIG.admin_enabled

# An upload of a key file is a few KiB; nothing legitimate comes near this.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

MEETBRIDGE = {
    "MODE": CONFIG.mode,
    "ENCRYPTION_KEYS": CONFIG.encryption_keys,
    "GOOGLE_TOKEN_URI": CONFIG.google_token_uri,
    "GOOGLE_API_BASE": CONFIG.google_api_base,
    "REDIS_URL": CONFIG.redis_url,
    "BOOKING_SWEEP_GRACE_SECONDS": CONFIG.sweep_grace_seconds,
    "BOOKING_LEASE_SECONDS": CONFIG.booking_lease_seconds,
    "SWEEP_MAX_TRIES": CONFIG.sweep_max_tries,
    "AUDIT_RETENTION_DAYS": CONFIG.audit_retention_days,
    "PUBLIC_URL": CONFIG.public_url,
    "GOOGLE_OIDC_CLIENT_ID": CONFIG.google_oidc_client_id,
    "GOOGLE_OIDC_CLIENT_SECRET": CONFIG.google_oidc_client_secret,
    "GOOGLE_OIDC_DISCOVERY_URL": CONFIG.google_oidc_discovery_url,
    "MICROSOFT_OIDC_CLIENT_ID": CONFIG.microsoft_oidc_client_id,
    "MICROSOFT_OIDC_CLIENT_SECRET": CONFIG.microsoft_oidc_client_secret,
    "MICROSOFT_OIDC_DISCOVERY_URL": CONFIG.microsoft_oidc_discovery_url,
    "LOCAL_OUTBOX": CONFIG.is_local and not CONFIG.email_url,
    "MICROSOFT_LOGIN_BASE": CONFIG.microsoft_login_base,
    "MICROSOFT_GRAPH_BASE": CONFIG.microsoft_graph_base,
    "MICROSOFT_CA_BUNDLE": CONFIG.microsoft_ca_bundle,
    "FREEBUSY_CACHE_SECONDS": CONFIG.freebusy_cache_seconds,
    "TRUSTED_PROXIES": CONFIG.trusted_proxies,
}

# Google access tokens are shared by every server process through Redis when it is configured;
# without it each process keeps its own (local mode runs a single process).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if CONFIG.redis_url:
    CACHES["tokens"] = {
        "BACKEND": "meetbridge.redis_cache.ReusedClientRedisCache",
        "LOCATION": CONFIG.redis_url,
        "KEY_PREFIX": "meetbridge",
        "TIMEOUT": 3600,
    }
# Free/busy answers reused for a few seconds (integrations/freebusy_cache.py), sealed: shared by
# every process through Redis when configured, else kept in each process's memory.
CACHES["freebusy"] = (
    {
        "BACKEND": "meetbridge.redis_cache.ReusedClientRedisCache",
        "LOCATION": CONFIG.redis_url,
        "KEY_PREFIX": "meetbridge",
        "TIMEOUT": 60,
    }
    if CONFIG.redis_url
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "freebusy"}
)

# Background jobs: huey, embedded on SQLite in local mode, on Redis when REDIS_URL is set.
if CONFIG.redis_url:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "meetbridge",
        "url": CONFIG.redis_url,
        "immediate": False,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "meetbridge",
        "filename": os.environ.get("MEETBRIDGE_HUEY_FILE", str(CONFIG.var_dir / "jobs.sqlite3")),
        "immediate": False,
        "consumer": {"workers": 4, "worker_type": "thread"},
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusals": {"()": "meetbridge.web.quiet_logs.RefusalsWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["refusals"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "huey": {"level": "WARNING"},
        "waitress": {"level": "WARNING"},
    },
}
