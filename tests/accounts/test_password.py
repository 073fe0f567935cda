"""Password sign-in: throttled per account and per address, one message for every failure,
and reset by e-mail with Django's tokens."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from meetbridge.accounts import throttle

pytestmark = pytest.mark.django_db
GOOD = "x" * 12


def sign_in(client, email, password, address="10.0.0.1"):
    return client.post("/sign-in", {"username": email, "password": password}, REMOTE_ADDR=address)


def error_of(response) -> str:
    return re.sub(
        r"\s+",
        " ",
        response.content.decode().split('id="sign-in-error">', 1)[1].split("</div>", 1)[0],
    )


def test_unknown_address_and_wrong_password_read_the_same(client, member):
    unknown = error_of(sign_in(client, "nobody@acme.test", GOOD))
    wrong = error_of(sign_in(client, "ben@acme.test", "wrong-password"))
    assert unknown == wrong


def test_an_account_is_throttled_after_repeated_failures_even_with_the_right_password(
    client, member
):
    for _ in range(throttle.PER_ACCOUNT):
        sign_in(client, "ben@acme.test", "wrong-password", address="10.0.0.2")
    response = sign_in(Client(), "ben@acme.test", GOOD, address="10.0.0.3")
    assert response.status_code == 200 and "Too many failed sign-ins" in error_of(response)
    # An unknown address is throttled the same way: the answer does not tell which exist.
    for _ in range(throttle.PER_ACCOUNT):
        sign_in(client, "nobody@acme.test", "wrong-password", address="10.0.0.4")
    assert "Too many failed sign-ins" in error_of(
        sign_in(client, "nobody@acme.test", GOOD, "10.0.0.5")
    )


def test_an_address_is_throttled_across_accounts(client, member, settings, monkeypatch):
    monkeypatch.setattr(throttle, "PER_ADDRESS", 3)
    for n in range(3):
        sign_in(client, f"guess{n}@acme.test", "nope", address="10.9.9.9")
    blocked = sign_in(Client(), "ben@acme.test", GOOD, address="10.9.9.9")
    assert "Too many failed sign-ins" in error_of(blocked)
    assert sign_in(Client(), "ben@acme.test", GOOD, address="10.9.9.8").status_code == 302


def test_a_success_clears_the_accounts_count(client, member):
    for _ in range(throttle.PER_ACCOUNT - 1):
        sign_in(client, "ben@acme.test", "wrong-password")
    assert sign_in(client, "ben@acme.test", GOOD).status_code == 302
    client.post("/sign-out")
    sign_in(client, "ben@acme.test", "wrong-password")
    assert sign_in(client, "ben@acme.test", GOOD).status_code == 302


def test_password_reset_by_email(client, member):
    response = client.post("/password-reset", {"email": "BEN@acme.test"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert done.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-brand-new-passphrase")
    reused = Client().get(link, follow=True)
    assert "already used or has expired" in reused.content.decode()


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, member):
    response = client.post("/password-reset", {"email": "nobody@acme.test"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent"
    assert mail.outbox == []


def test_behind_a_trusted_proxy_two_clients_are_throttled_separately(
    client, member, settings, monkeypatch
):
    settings.MEETBRIDGE = {**settings.MEETBRIDGE, "TRUSTED_PROXIES": 1}
    monkeypatch.setattr(throttle, "PER_ADDRESS", 3)

    def through_proxy(email, password, forwarded_for):
        return Client().post(
            "/sign-in",
            {"username": email, "password": password},
            REMOTE_ADDR="10.0.0.254",  # the proxy, the same for everyone
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    for n in range(3):
        # The attacker also forges an entry each time: it does not move the count elsewhere.
        through_proxy(f"guess{n}@acme.test", "nope", f"192.0.2.{n}, 203.0.113.66")
    blocked = through_proxy("ben@acme.test", GOOD, "203.0.113.66")
    assert "Too many failed sign-ins" in error_of(blocked)
    assert through_proxy("ben@acme.test", GOOD, "198.51.100.7").status_code == 302


def test_without_a_trusted_proxy_a_forged_header_does_not_escape_the_count(
    client, member, settings, monkeypatch
):
    settings.MEETBRIDGE = {**settings.MEETBRIDGE, "TRUSTED_PROXIES": 0}
    monkeypatch.setattr(throttle, "PER_ADDRESS", 3)
    for n in range(3):
        Client().post(
            "/sign-in",
            {"username": f"guess{n}@acme.test", "password": "nope"},
            REMOTE_ADDR="10.9.9.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    blocked = Client().post(
        "/sign-in",
        {"username": "ben@acme.test", "password": GOOD},
        REMOTE_ADDR="10.9.9.7",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert "Too many failed sign-ins" in error_of(blocked)
