"""`citemploi rotate_field_keys`: re-encrypt the secrets stored encrypted (TOTP) with the current key.

Key rotation: set the new key in CITEMPLOI_FIELD_KEY, move the former one to CITEMPLOI_FIELD_OLD_KEYS, restart,
run this command; once it has finished, the former key can be removed. See citemploi/accounts/crypto.py.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from citemploi.accounts import crypto
from citemploi.accounts.models import TwoFactorDevice
from citemploi.core import audit


class Command(BaseCommand):
    help = "Chiffre de nouveau les secrets stockés (double authentification) avec la clé courante (CITEMPLOI_FIELD_KEY)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        try:
            with transaction.atomic():
                for device in TwoFactorDevice.objects.select_for_update().order_by("pk"):
                    # Read decrypts with any configured key; the save encrypts with the current one.
                    device.save(update_fields=["secret"])
                    count += 1
        except crypto.DecryptionError as exc:
            raise CommandError(
                "Un secret ne peut pas être déchiffré avec les clés configurées : remettez l'ancienne clé dans "
                "CITEMPLOI_FIELD_OLD_KEYS. Rien n'a été modifié."
            ) from exc
        audit.log(None, "auth.field_keys_rotated", changes={"two_factor_devices": count})
        self.stdout.write(f"{count} secret(s) chiffré(s) de nouveau avec la clé courante.")
