"""Stored keys are sealed with authenticated encryption, rotatable, and bound to their row."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from meetbridge.integrations.vault import Vault, VaultError

SECRET = {"private_key": "-----BEGIN PRIVATE KEY-----\nSECRETMATERIAL\n-----END PRIVATE KEY-----\n"}


def new_key() -> str:
    return Fernet.generate_key().decode()


def test_sealed_text_holds_nothing_readable_and_opens_again():
    vault = Vault([new_key()])
    sealed = vault.seal(SECRET, bound_to="tenant:1:key:abc")
    assert "SECRETMATERIAL" not in sealed and "PRIVATE" not in sealed
    assert vault.open(sealed, bound_to="tenant:1:key:abc") == SECRET


def test_a_sealed_key_does_not_open_on_another_row():
    vault = Vault([new_key()])
    sealed = vault.seal(SECRET, bound_to="tenant:1:key:abc")
    with pytest.raises(VaultError):
        vault.open(sealed, bound_to="tenant:2:key:abc")


def test_tampering_is_detected():
    vault = Vault([new_key()])
    sealed = vault.seal(SECRET, bound_to="t")
    flipped = sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]
    with pytest.raises(VaultError):
        vault.open(flipped, bound_to="t")


def test_rotation_new_key_first_old_still_opens_then_reseal_lets_the_old_key_go():
    old, new = new_key(), new_key()
    sealed = Vault([old]).seal(SECRET, bound_to="t")
    rotated_vault = Vault([new, old])
    assert rotated_vault.open(sealed, bound_to="t") == SECRET
    assert not rotated_vault.is_sealed_with_newest(sealed)
    resealed = rotated_vault.reseal(sealed)
    assert rotated_vault.is_sealed_with_newest(resealed)
    assert Vault([new]).open(resealed, bound_to="t") == SECRET


def test_without_the_right_key_nothing_opens_and_the_error_says_why():
    sealed = Vault([new_key()]).seal(SECRET, bound_to="t")
    with pytest.raises(VaultError, match="encryption keys"):
        Vault([new_key()]).open(sealed, bound_to="t")
    with pytest.raises(VaultError):
        Vault([])
