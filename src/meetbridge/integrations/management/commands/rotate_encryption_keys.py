"""Re-seal every stored key under the newest MEETBRIDGE_ENCRYPTION_KEYS key.

Rotation: put a new key first in MEETBRIDGE_ENCRYPTION_KEYS (keep the old ones after it),
restart, run this, then drop the old keys. Keys are also re-sealed lazily when next used.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from meetbridge.integrations.access import vault
from meetbridge.integrations.models import Credential
from meetbridge.integrations.vault import VaultError


class Command(BaseCommand):
    help = "Re-encrypt every stored calendar key with the newest MEETBRIDGE_ENCRYPTION_KEYS key."

    def handle(self, *args, **options) -> None:
        keys = vault()
        resealed = unreadable = 0
        for credential_id in Credential.objects.values_list("id", flat=True):
            with transaction.atomic():
                credential = Credential.objects.select_for_update().get(pk=credential_id)
                if keys.is_sealed_with_newest(credential.sealed_secret):
                    continue
                try:
                    credential.sealed_secret = keys.reseal(credential.sealed_secret)
                except VaultError:
                    unreadable += 1
                    continue
                credential.save(update_fields=["sealed_secret"])
                resealed += 1
        self.stdout.write(f"Re-encrypted {resealed} stored key(s) with the newest key.")
        if unreadable:
            raise CommandError(
                f"{unreadable} stored key(s) could not be decrypted with any configured key; "
                "their tenants must save their key again."
            )
