"""Whether meetbridge's dependencies answer, for /healthz: each one named, quickly."""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection

from meetbridge.api.outage import OUTAGE_ERRORS, RETRY_AFTER_SECONDS

log = logging.getLogger(__name__)

UP, DOWN, NOT_CONFIGURED = "ok", "down", "not_configured"
REDIS_TIMEOUT_SECONDS = 1.0

__all__ = ["RETRY_AFTER_SECONDS", "all_up", "check_dependencies"]


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except OUTAGE_ERRORS as error:
        log.warning("Health check: the database does not answer (%s)", type(error).__name__)
        connection.close_if_unusable_or_obsolete()
        return DOWN
    return UP


def redis_url() -> str | None:
    return settings.MEETBRIDGE.get("REDIS_URL") or None


def check_redis() -> str:
    url = redis_url()
    if not url:
        return NOT_CONFIGURED
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except OUTAGE_ERRORS as error:
        log.warning("Health check: Redis does not answer (%s)", type(error).__name__)
        return DOWN
    finally:
        client.close()
    return UP


def check_dependencies() -> dict[str, str]:
    return {"database": check_database(), "redis": check_redis()}


def all_up(checks: dict[str, str]) -> bool:
    return all(state != DOWN for state in checks.values())
