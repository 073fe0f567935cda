"""Key intake: what an uploaded key file must be, and what each mistake is told."""

from __future__ import annotations

import json

import pytest

from meetbridge.integrations.providers.google.keyfile import MAX_KEY_BYTES, KeyFileError, parse_key
from tests.integrations.google.keyfiles import ec_pem, key_file, key_text, pem_body, rsa_pem


def rejected(raw) -> KeyFileError:
    with pytest.raises(KeyFileError) as info:
        parse_key(raw)
    return info.value


def test_accepts_the_downloaded_file_as_an_object():
    key = parse_key(key_file())
    assert key.client_email == "meetbridge@acme-calendar.iam.gserviceaccount.com"
    assert key.client_id == "104857600123456789012"


def test_accepts_the_file_text_with_a_byte_order_mark_and_as_bytes():
    assert parse_key("\ufeff" + key_text()).project_id == "acme-calendar"
    assert parse_key(key_text().encode()).project_id == "acme-calendar"


def test_accepts_keys_made_before_google_added_universe_domain():
    assert parse_key(key_file(universe_domain=None)).fields.get("universe_domain") is None


def test_public_fields_and_repr_leave_out_the_private_key():
    key = parse_key(key_file())
    assert set(key.public()) == {"client_email", "client_id", "project_id", "private_key_id"}
    assert pem_body(rsa_pem()) not in repr(key)


def test_keeps_only_the_fields_google_defines():
    key = parse_key(key_file(extra_field="whatever"))
    assert "extra_field" not in key.fields


def test_malformed_json_says_where():
    error = rejected('{"type": "service_account",')
    assert error.code == "key_not_json"
    assert "line 1" in error.message


@pytest.mark.parametrize("raw", ["", "   ", "[1, 2]", '"text"', "42"])
def test_something_other_than_one_json_object_is_refused(raw):
    assert rejected(raw).code == "key_not_json"


def test_a_non_text_upload_is_refused():
    assert rejected(b"\x30\x82\x0a\xff\xfe binary p12").code == "key_not_json"
    assert rejected(12).code == "key_not_json"


def test_duplicate_fields_and_nan_are_refused():
    text = key_text()
    assert rejected(text[:-1] + ', "type": "service_account"}').code == "key_not_json"
    assert rejected(text[:-1] + ', "x": NaN}').code == "key_not_json"


@pytest.mark.parametrize("as_text", [True, False])
def test_oversized_input_is_refused_before_parsing(as_text):
    big = key_file(padding="x" * MAX_KEY_BYTES)
    error = rejected(json.dumps(big) if as_text else big)
    assert error.code == "key_too_large"
    assert "16 KiB" in error.message


@pytest.mark.parametrize(
    ("overrides", "said"),
    [
        ({"type": "authorized_user"}, "authorized_user credential"),
        ({"type": "external_account"}, "external_account credential"),
        ({"type": None}, 'no "type" field'),
        ({"type": "robot"}, 'not "service_account"'),
    ],
)
def test_a_key_of_the_wrong_type_is_named(overrides, said):
    error = rejected(key_file(**overrides))
    assert error.code == "key_wrong_type"
    assert said in error.message
    assert "Create new key > JSON" in error.message


def test_an_oauth_client_file_is_named_as_such():
    error = rejected({"installed": {"client_id": "1.apps.googleusercontent.com"}})
    assert error.code == "key_wrong_type"
    assert "OAuth client ID file" in error.message


def test_missing_fields_are_listed():
    error = rejected(key_file(private_key=None, client_id=None))
    assert error.code == "key_missing_fields"
    assert "private_key" in error.message and "client_id" in error.message


@pytest.mark.parametrize(
    ("overrides", "said"),
    [
        ({"client_id": "12ab"}, "client_id '12ab' is not numeric"),
        ({"client_id": 104857600123456789012}, "client_id must be text"),
        ({"project_id": "Bad_Project"}, "not a Google Cloud project id"),
        ({"private_key_id": "not-hex!"}, "private_key_id is not a hexadecimal"),
        ({"client_email": "someone@gmail.com"}, "is not a service account's address"),
        (
            {"client_email": "meetbridge@other-project.iam.gserviceaccount.com"},
            "does not belong to project 'acme-calendar'",
        ),
        ({"token_uri": "javascript:alert(1)"}, "token_uri is not a URL"),
        ({"universe_domain": "example.com"}, "universe_domain is not googleapis.com"),
    ],
)
def test_inconsistent_or_malformed_fields_are_explained(overrides, said):
    error = rejected(key_file(**overrides))
    assert error.code == "key_invalid"
    assert said in error.message


def test_client_email_must_match_a_domain_scoped_project():
    key = parse_key(
        key_file(
            project_id="example.com:acme-cal",
            client_email="meetbridge@acme-cal.example.com.iam.gserviceaccount.com",
        )
    )
    assert key.project_id == "example.com:acme-cal"


@pytest.mark.parametrize(
    "field", ["client_email", "project_id", "client_id", "private_key_id", "token_uri"]
)
def test_control_characters_in_any_field_are_refused(field):
    value = key_file()[field]
    error = rejected(key_file(**{field: value[:4] + "\u202e\x1b[31m" + value[4:]}))
    assert error.code == "key_invalid"
    assert "\x1b" not in error.message and "\u202e" not in error.message


def test_a_field_far_too_long_is_refused_without_echoing_it():
    error = rejected(key_file(auth_uri="https://a.example/" + "a" * 5000))
    assert error.code == "key_invalid"
    assert "a" * 100 not in error.message


def test_hostile_values_are_echoed_only_short_and_printable():
    error = rejected(key_file(client_id="9" * 20 + "x" * 200))
    assert len(error.message) < 400


@pytest.mark.parametrize(
    "private_key",
    [
        "not a key",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        rsa_pem()[:300] + rsa_pem()[400:],
    ],
    ids=["not-pem", "empty-der", "spliced-keys"],
)
def test_a_private_key_that_does_not_parse_is_refused_without_quoting_it(private_key):
    error = rejected(key_file(private_key=private_key))
    assert error.code == "key_invalid"
    assert "AAAA" not in error.message and pem_body(rsa_pem()) not in error.message


def test_the_private_key_must_be_rsa_of_at_least_2048_bits():
    assert "not an RSA key" in rejected(key_file(private_key=ec_pem())).message
    assert "1024 bits" in rejected(key_file(private_key=rsa_pem(1024))).message


def test_the_key_file_token_uri_is_only_shape_checked():
    # Any well-formed URL is accepted: settings, not the file, decide where tokens are asked.
    key = parse_key(key_file(token_uri="https://attacker.example/steal"))
    assert key.fields["token_uri"] == "https://attacker.example/steal"
