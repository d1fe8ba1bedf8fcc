"""Deployment checks of the accounts: a dedicated key for the secrets encrypted at rest."""

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def field_encryption_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    key = settings.FIELD_ENCRYPTION_KEY
    if not key:
        return [
            checks.Warning(
                "CITEMPLOI_FIELD_KEY is not set: the TOTP secrets are encrypted with a key derived from SECRET_KEY.",
                hint="Set CITEMPLOI_FIELD_KEY (python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())') and keep it out of the database backups.",
                id="accounts.W001",
            )
        ]
    if len(key) < 32:
        return [
            checks.Warning(
                "CITEMPLOI_FIELD_KEY is shorter than 32 characters.",
                hint="Use a Fernet key or a random passphrase of 32 characters or more.",
                id="accounts.W002",
            )
        ]
    return []
