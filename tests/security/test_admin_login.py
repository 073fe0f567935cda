"""The Django admin's login, when mounted: throttled like sign-in, staff only, one message."""

from __future__ import annotations

import pytest
from django.test import Client

from meetbridge.accounts import throttle
from meetbridge.tenants.models import Person

pytestmark = pytest.mark.django_db
GOOD = "x" * 12


@pytest.fixture
def operator(db) -> Person:
    return Person.objects.create_user(
        "ops@operator.test", password=GOOD, is_staff=True, is_superuser=True
    )


def admin_login(client, email, password, address="10.1.1.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )


def test_a_staff_account_signs_in_to_the_admin(operator):
    response = admin_login(Client(), operator.email, GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_repeated_failures_throttle_the_admin_login_even_with_the_right_password(operator):
    for _ in range(throttle.PER_ACCOUNT):
        assert admin_login(Client(), operator.email, "wrong", "10.1.1.2").status_code == 200
    blocked = admin_login(Client(), operator.email, GOOD, "10.1.1.3")
    assert blocked.status_code == 200
    assert "Too many failed sign-ins" in blocked.content.decode()


def test_a_member_is_refused_with_the_words_of_a_wrong_password(member):
    refused = admin_login(Client(), member.email, GOOD).content.decode()
    wrong = admin_login(Client(), member.email, "wrong").content.decode()
    assert "do not match an account" in refused
    assert "do not match an account" in wrong
