"""Signing in and out through the pages."""

import pytest

pytestmark = pytest.mark.django_db


def test_pages_send_strangers_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in")


def test_sign_in_page_has_labelled_fields(client):
    html = client.get("/sign-in").content.decode()
    assert '<label for="id_username">Work e-mail</label>' in html
    assert '<label for="id_password">Password</label>' in html


def test_signing_in_with_the_right_password_reaches_home(client, member):
    response = client.post(
        "/sign-in", {"username": "BEN@acme.test", "password": "x" * 12}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert "Hello, Ben" in response.content.decode()


def test_a_wrong_password_says_what_to_check(client, member):
    response = client.post("/sign-in", {"username": "ben@acme.test", "password": "nope"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_signing_out_ends_the_session(client, member):
    client.force_login(member)
    client.post("/sign-out")
    assert client.get("/").status_code == 302


def test_sign_in_requires_csrf(member):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/sign-in", {"username": "ben@acme.test", "password": "x" * 12})
    assert response.status_code == 403
