"""Rotating MEETBRIDGE_ENCRYPTION_KEYS: new key first, re-seal, drop the old key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from meetbridge.cli import main
from meetbridge.integrations.access import provider_for, vault
from meetbridge.integrations.models import Credential
from meetbridge.integrations.provider import NotConnected
from meetbridge.integrations.verification import check_credential

NOW = datetime.now(UTC)


def use_keys(settings, *keys):
    settings.MEETBRIDGE = {**settings.MEETBRIDGE, "ENCRYPTION_KEYS": tuple(keys)}


def free_busy(tenant, person):
    return provider_for(tenant, person).free_busy(
        as_email=person.email, emails=[person.email], start=NOW, end=NOW + timedelta(hours=1)
    )


@pytest.mark.django_db
def test_the_command_reseals_every_key_so_the_old_encryption_key_can_go(
    settings, tenant, member, connected, capsys
):
    old = settings.MEETBRIDGE["ENCRYPTION_KEYS"]
    new = Fernet.generate_key().decode()
    use_keys(settings, new, *old)
    assert main(["rotatekeys"]) == 0
    assert "Re-encrypted 1 stored key" in capsys.readouterr().out

    use_keys(settings, new)
    assert vault().is_sealed_with_newest(Credential.objects.get().sealed_secret)
    assert member.email in free_busy(tenant, member).busy


@pytest.mark.django_db
def test_a_key_is_resealed_under_the_newest_key_when_next_used(settings, tenant, member, connected):
    old = settings.MEETBRIDGE["ENCRYPTION_KEYS"]
    use_keys(settings, Fernet.generate_key().decode(), *old)
    free_busy(tenant, member)
    assert vault().is_sealed_with_newest(Credential.objects.get().sealed_secret)


@pytest.mark.django_db
def test_without_the_right_encryption_key_nothing_is_used_and_the_check_says_so(
    settings, tenant, member, connected
):
    use_keys(settings, Fernet.generate_key().decode())
    with pytest.raises(NotConnected, match="cannot be read"):
        free_busy(tenant, member)
    credential = Credential.objects.get()
    result = check_credential(credential.id, credential.check_round)
    assert result.problem["code"] == "key_unreadable"
