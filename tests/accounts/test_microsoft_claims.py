"""Sign in with Microsoft's claim checks, pure: no network, no database."""

from __future__ import annotations

import pytest
from authlib.oidc.core import CodeIDToken
from joserfc.errors import InvalidClaimError, MissingClaimError

from meetbridge.accounts.claims import SignInRefused
from meetbridge.accounts.microsoft import (
    PERSONAL_ACCOUNTS_TID,
    check_claims,
    claims_options,
    issuer_for,
)

LOGIN = "https://login.microsoftonline.com"
TEMPLATE = f"{LOGIN}/{{tenantid}}/v2.0"
TID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OID = "00000000-0000-0000-66f3-3332eca7ea81"
CLIENT = "6cb04018-a3f5-46a7-b995-940c78f5aef3"
NOW = 1_800_000_000


def claims(**changes):
    base = {
        "iss": f"{LOGIN}/{TID}/v2.0",
        "aud": CLIENT,
        "exp": NOW + 3600,
        "iat": NOW,
        "nbf": NOW,
        "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
        "tid": TID,
        "oid": OID,
        "preferred_username": "ben@acme.test",
        "email": "Ben@Acme.test",
        "name": "Ben Okafor",
        "nonce": "n0nce",
        "ver": "2.0",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def refused(**changes) -> SignInRefused:
    with pytest.raises(SignInRefused) as caught:
        check_claims(claims(**changes), CLIENT, TEMPLATE, NOW)
    return caught.value


def test_the_issuer_template_is_filled_with_the_tokens_own_tid():
    assert issuer_for(TEMPLATE, TID) == f"{LOGIN}/{TID}/v2.0"
    assert issuer_for(f"{LOGIN}/{TID}/v2.0", "anything") == f"{LOGIN}/{TID}/v2.0"


def test_a_good_token_names_the_person_by_tid_and_oid():
    identity = check_claims(claims(), CLIENT, TEMPLATE, NOW)
    assert identity.provider == "microsoft"
    assert identity.subject == f"{TID}/{OID}"
    assert identity.organisation == TID
    assert identity.email == "ben@acme.test" and identity.name == "Ben Okafor"
    assert identity.organisation_words == f"the Microsoft 365 directory {TID}"


def test_a_directorys_own_authority_is_accepted_too():
    assert check_claims(claims(), CLIENT, f"{LOGIN}/{TID}/v2.0", NOW).organisation == TID


def test_an_issuer_of_another_directory_than_tid_is_refused():
    other = "8f1c7a2e-1111-4b2b-9c3d-000000000001"
    assert refused(iss=f"{LOGIN}/{other}/v2.0").code == "wrong_issuer"
    assert refused(iss="https://sts.windows.net/" + TID + "/").code == "wrong_issuer"


def test_a_missing_or_malformed_tid_is_refused():
    assert refused(tid=None).code == "wrong_issuer"
    assert refused(tid="contoso.com", iss=f"{LOGIN}/contoso.com/v2.0").code == "wrong_issuer"


def test_a_personal_microsoft_account_is_refused():
    refusal = refused(tid=PERSONAL_ACCOUNTS_TID, iss=f"{LOGIN}/{PERSONAL_ACCOUNTS_TID}/v2.0")
    assert refusal.code == "personal_account" and "personal Microsoft account" in refusal.message


def test_another_audience_is_refused():
    assert refused(aud="someone-else").code == "wrong_audience"
    assert check_claims(claims(aud=[CLIENT, "x"]), CLIENT, TEMPLATE, NOW)


def test_an_expired_token_is_refused_after_the_leeway():
    assert refused(exp=NOW - 121).code == "expired"
    assert check_claims(claims(exp=NOW - 60), CLIENT, TEMPLATE, NOW)


def test_the_address_falls_back_to_preferred_username_and_is_required():
    identity = check_claims(claims(email=None), CLIENT, TEMPLATE, NOW)
    assert identity.email == "ben@acme.test"
    assert refused(email=None, preferred_username="not an address").code == "incomplete"


def test_a_missing_oid_is_refused():
    assert refused(oid=None).code == "incomplete"


def test_the_subject_does_not_depend_on_the_address():
    before = check_claims(claims(), CLIENT, TEMPLATE, NOW)
    after = check_claims(claims(email="benjamin@acme.test"), CLIENT, TEMPLATE, NOW)
    assert before.subject == after.subject and before.email != after.email


def validate_with_authlib(token_claims: dict, metadata_issuer: str = TEMPLATE) -> None:
    """What Authlib runs on the claims with meetbridge's options (signature aside)."""
    options = claims_options(metadata_issuer, CLIENT)
    params = {"nonce": "n0nce", "client_id": CLIENT}
    CodeIDToken(token_claims, {"alg": "RS256"}, options, params).validate(now=NOW)


def test_authlibs_issuer_check_uses_the_template_with_the_tokens_tid():
    validate_with_authlib(claims())
    other = "8f1c7a2e-1111-4b2b-9c3d-000000000001"
    with pytest.raises(InvalidClaimError) as caught:
        validate_with_authlib(claims(iss=f"{LOGIN}/{other}/v2.0"))
    assert caught.value.claim == "iss"


def test_authlib_requires_tid_and_oid():
    for missing in ("tid", "oid"):
        with pytest.raises(MissingClaimError):
            validate_with_authlib(claims(**{missing: None}))
