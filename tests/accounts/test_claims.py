"""The pure checks on an ID token's claims (no Django, no network)."""

from __future__ import annotations

import pytest

from meetbridge.accounts.claims import (
    GOOGLE_ISSUERS,
    SignInRefused,
    accepted_issuers,
    check_google_claims,
)

NOW = 1_800_000_000
CLIENT = "client-1.apps.googleusercontent.com"


def claims(**changes):
    base = {
        "iss": "https://accounts.google.com",
        "aud": CLIENT,
        "sub": "112233445566778899001",
        "email": "Ana@Acme.test",
        "email_verified": True,
        "hd": "acme.test",
        "iat": NOW - 10,
        "exp": NOW + 3590,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def check(c):
    return check_google_claims(c, client_id=CLIENT, issuers=GOOGLE_ISSUERS, now=NOW)


@pytest.mark.parametrize("issuer", ["https://accounts.google.com", "accounts.google.com"])
def test_both_forms_of_googles_issuer_are_accepted(issuer):
    identity = check(claims(iss=issuer))
    assert identity.email == "ana@acme.test" and identity.organisation == "acme.test"
    assert identity.subject == "112233445566778899001" and identity.provider == "google"


def test_a_stand_in_is_trusted_for_its_own_issuer_only():
    assert accepted_issuers("http://127.0.0.1:8001") == ("http://127.0.0.1:8001",)
    assert set(accepted_issuers("accounts.google.com")) == set(GOOGLE_ISSUERS)


def test_string_true_email_verified_of_older_tokens_counts():
    assert check(claims(email_verified="true")).email == "ana@acme.test"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"iss": "https://evil.test"}, "wrong_issuer"),
        ({"iss": None}, "wrong_issuer"),
        ({"aud": "someone-else"}, "wrong_audience"),
        ({"aud": ["someone-else"]}, "wrong_audience"),
        ({"exp": NOW - 3600}, "expired"),
        ({"exp": None}, "expired"),
        ({"email_verified": False}, "email_not_verified"),
        ({"email_verified": "false"}, "email_not_verified"),
        ({"email_verified": None}, "email_not_verified"),
        ({"hd": None}, "not_workspace"),
        ({"hd": ""}, "not_workspace"),
        ({"sub": None}, "incomplete"),
        ({"email": None}, "incomplete"),
    ],
)
def test_each_bad_claim_is_refused_with_its_reason(changes, code):
    with pytest.raises(SignInRefused) as refused:
        check(claims(**changes))
    assert refused.value.code == code
    assert refused.value.message  # a sentence for the person


def test_an_expiry_within_the_leeway_is_accepted():
    assert check(claims(exp=NOW - 60)).email == "ana@acme.test"
