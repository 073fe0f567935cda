"""Event ids derived from bookings follow Google's rules, so a retried insert meets itself."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from meetbridge.meetings.event_ids import booking_id_from, event_id_for, is_valid_event_id


@given(st.uuids())
def test_every_derived_id_uses_only_base32hex_characters_and_allowed_length(booking_id):
    event_id = event_id_for(booking_id)
    assert set(event_id) <= set("0123456789abcdefghijklmnopqrstuv")
    assert 5 <= len(event_id) <= 1024
    assert is_valid_event_id(event_id)


@given(st.uuids())
def test_the_same_booking_always_gets_the_same_id(booking_id):
    assert event_id_for(booking_id) == event_id_for(uuid.UUID(str(booking_id)))


@given(st.uuids(), st.uuids())
def test_different_bookings_get_different_ids(a, b):
    assert (event_id_for(a) == event_id_for(b)) == (a == b)


@given(st.uuids())
def test_the_booking_is_recovered_from_its_event_id(booking_id):
    assert booking_id_from(event_id_for(booking_id)) == booking_id


def test_ids_meetbridge_never_made_name_no_booking():
    for foreign in ("", "abc", "x" * 26, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0" * 27, "_googleid12345"):
        assert booking_id_from(foreign) is None


def test_an_id_with_stray_padding_bits_is_not_a_second_spelling_of_a_booking():
    booking_id = uuid.uuid4()
    canonical = event_id_for(booking_id)
    # 128 bits fill 25 characters and 3 bits of the 26th; its 2 low bits are always zero.
    alphabet = "0123456789abcdefghijklmnopqrstuv"
    stray = canonical[:-1] + alphabet[alphabet.index(canonical[-1]) | 1]
    assert stray != canonical
    assert booking_id_from(stray) is None


def test_google_rejects_what_the_validator_rejects():
    assert not is_valid_event_id("abcd")  # too short
    assert not is_valid_event_id("abcdw")  # w is outside base32hex
    assert not is_valid_event_id("ABCDE")  # upper case is not allowed
    assert not is_valid_event_id("a" * 1025)
    assert is_valid_event_id("abcde")
    assert is_valid_event_id("v" * 1024)
