"""The database or Redis unreachable: 503 with Retry-After (API error shape, a short page),
/healthz naming what is down, and never a 500. Healed, everything answers again.

The outage is real: the connection is closed and pointed at a database that cannot be opened
(SQLite: a file in a directory that does not exist; PostgreSQL: a port nobody listens on).
"""

from __future__ import annotations

import socket
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from meetbridge.tenants.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once closed: nothing listens there


@contextmanager
def database_down():
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-directory/meetbridge.sqlite3"
    else:
        connection.settings_dict["HOST"] = "127.0.0.1"
        connection.settings_dict["PORT"] = str(closed_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_while_the_database_is_down_the_api_answers_503_with_retry_after(member):
    _, token = ApiToken.issue(member)
    client = Client(raise_request_exception=False)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    with database_down():
        for answer in (
            client.get("/api/v1/meetings", **bearer),
            client.get("/api/v1/me", **bearer),
            client.post("/api/v1/meetings", "{}", content_type="application/json", **bearer),
        ):
            assert answer.status_code == 503
            assert answer["Retry-After"] == "5"
            assert answer.json()["error"]["code"] == "service_unavailable"
    assert client.get("/api/v1/me", **bearer).status_code == 200


def test_while_the_database_is_down_pages_say_temporarily_unavailable(member):
    client = Client(raise_request_exception=False)
    client.force_login(member)
    with database_down():
        for path in ("/", "/meetings", "/audit"):
            page = client.get(path)
            assert page.status_code == 503
            assert "temporarily unavailable" in page.content.decode()
            assert page["Retry-After"] == "5"
    assert client.get("/").status_code == 200


def test_healthz_names_the_database_when_it_is_down(db):
    client = Client(raise_request_exception=False)
    assert client.get("/healthz").status_code == 200
    with database_down():
        answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["database"] == "down"
    assert answer.json()["status"] == "unavailable"
    assert client.get("/healthz").json()["database"] == "ok"


def test_healthz_names_redis_when_it_is_down(db, settings):
    settings.MEETBRIDGE = settings.MEETBRIDGE | {
        "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/9"
    }
    answer = Client().get("/healthz")
    assert answer.status_code == 503
    assert (answer.json()["redis"], answer.json()["database"]) == ("down", "ok")


def test_healthz_says_redis_is_not_configured_without_it(db, settings):
    settings.MEETBRIDGE = settings.MEETBRIDGE | {"REDIS_URL": None}
    answer = Client().get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["redis"] == "not_configured"
