"""The TOTP secrets are encrypted at rest: the column holds a Fernet token, codes still verify, keys rotate."""

import io

import pyotp
import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from citemploi.accounts import crypto, security
from citemploi.accounts.models import TwoFactorDevice
from citemploi.core.models import AuditEvent
from tests.accounts.helpers import code_for
from tests.factories import UserFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _column(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_twofactordevice WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_column_does_not_hold_the_secret_and_codes_still_verify(db):
    user = UserFactory()
    assert security.enrol(user, SECRET, code_for(SECRET)) is not None
    device = TwoFactorDevice.objects.get(user=user)
    stored = _column(device.pk)
    assert SECRET not in stored and SECRET.lower() not in stored.lower()
    assert stored.startswith("gAAAAA") and len(stored) > 100
    assert device.secret == SECRET
    # The next step's code is accepted (the current one was spent by the enrolment).
    assert security.verify(user, code_for(SECRET, 1)) == "totp"
    assert security.verify(user, code_for(SECRET, 1)) is None
    # Two devices with the same secret do not have the same ciphertext (random IV).
    other = UserFactory()
    TwoFactorDevice.objects.create(user=other, secret=SECRET, confirmed_at=timezone.now())
    assert _column(TwoFactorDevice.objects.get(user=other).pk) != stored


def test_a_dedicated_key_is_used_and_the_secret_key_one_still_decrypts(db, settings):
    user = UserFactory()
    settings.FIELD_ENCRYPTION_KEY = ""
    TwoFactorDevice.objects.create(user=user, secret=SECRET, confirmed_at=timezone.now())
    derived_token = _column(TwoFactorDevice.objects.get(user=user).pk)
    key = Fernet.generate_key()
    settings.FIELD_ENCRYPTION_KEY = key.decode()
    # Written with the SECRET_KEY-derived key, read after a dedicated key was configured.
    assert TwoFactorDevice.objects.get(user=user).secret == SECRET
    with pytest.raises(InvalidToken):  # not written with the dedicated key
        Fernet(key).decrypt(derived_token.encode())
    call_command("rotate_field_keys", stdout=io.StringIO())
    rotated = _column(TwoFactorDevice.objects.get(user=user).pk)
    assert Fernet(key).decrypt(rotated.encode()).decode() == SECRET
    assert AuditEvent.objects.filter(code="auth.field_keys_rotated").get().changes == {
        "two_factor_devices": 1
    }


def test_rotation_to_a_new_key_with_the_old_one_listed(db, settings):
    old, new = Fernet.generate_key().decode(), "une phrase de passe longue pour la nouvelle clé"
    settings.FIELD_ENCRYPTION_KEY = old
    user = UserFactory()
    TwoFactorDevice.objects.create(user=user, secret=SECRET, confirmed_at=timezone.now())
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_ENCRYPTION_OLD_KEYS = new, [old]
    assert TwoFactorDevice.objects.get(user=user).secret == SECRET
    call_command("rotate_field_keys", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    assert TwoFactorDevice.objects.get(user=user).secret == SECRET  # old key gone: still readable
    settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY = old, "another-secret-key-" * 4
    with pytest.raises(crypto.DecryptionError):
        TwoFactorDevice.objects.get(user=user)


def test_rotation_refuses_and_changes_nothing_when_a_key_is_missing(db, settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    user = UserFactory()
    TwoFactorDevice.objects.create(user=user, secret=SECRET, confirmed_at=timezone.now())
    before = _column(TwoFactorDevice.objects.get(user=user).pk)
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(CommandError, match="ne peut pas être déchiffré"):
        call_command("rotate_field_keys")
    assert _column(_pk(user)) == before


def _pk(user) -> int:
    return TwoFactorDevice.objects.values_list("pk", flat=True).get(user=user)


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_secrets_and_decrypts_them_back():
    user = UserFactory()
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0002_security")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO accounts_twofactordevice (user_id, secret, confirmed_at, last_used_step) "
                "VALUES (%s, %s, %s, NULL)",
                [user.pk, SECRET, timezone.now()],
            )
        executor = MigrationExecutor(connection)
        executor.migrate([("accounts", "0003_encrypt_totp_secrets")])
        pk = _pk(user)
        stored = _column(pk)
        assert stored.startswith("gAAAAA") and SECRET not in stored
        assert TwoFactorDevice.objects.get(pk=pk).secret == SECRET
        assert security.verify(user, pyotp.TOTP(SECRET).now()) == "totp"
        executor = MigrationExecutor(connection)
        executor.migrate([("accounts", "0002_security")])
        assert _column(pk) == SECRET
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
