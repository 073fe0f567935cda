"""Idempotency keys and request fingerprints."""

from __future__ import annotations

import pytest

from meetbridge.meetings.idempotency import check_key, fingerprint
from meetbridge.tenants.rules import RuleViolation


def test_no_header_means_no_key():
    assert check_key(None) is None


def test_a_uuid_is_a_good_key_and_surrounding_spaces_are_dropped():
    assert (
        check_key(" 9f1c2a3e-7b1d-4c1e-8a8f-0d6b1e2f3a4b ")
        == "9f1c2a3e-7b1d-4c1e-8a8f-0d6b1e2f3a4b"
    )


@pytest.mark.parametrize("bad", ["", "   ", "has space", "x" * 256, "naïve", "tab\tkey"])
def test_empty_long_or_non_ascii_keys_are_refused_with_what_to_send(bad):
    with pytest.raises(RuleViolation) as caught:
        check_key(bad)
    assert caught.value.code == "invalid_idempotency_key"
    assert "visible ASCII" in caught.value.message


def test_the_same_request_spelled_differently_has_the_same_fingerprint():
    a = fingerprint("book", {"title": "Sync", "attendees": ["a@x.test"], "duration": 30})
    b = fingerprint("book", {"duration": 30, "attendees": ["a@x.test"], "title": "Sync"})
    assert a == b


def test_a_different_request_or_operation_has_another_fingerprint():
    base = {"title": "Sync", "duration": 30}
    assert fingerprint("book", base) != fingerprint("book", {**base, "duration": 45})
    assert fingerprint("book", base) != fingerprint("reschedule", base)


def test_the_fingerprint_is_a_fixed_length_digest():
    assert len(fingerprint("book", {"title": "x" * 10_000})) == 64
