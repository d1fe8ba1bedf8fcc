from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from citemploi.accounts.crypto import EncryptedCharField


class CitemploiUserManager(UserManager["User"]):
    def _create_user(self, username, email, password, **extra_fields):  # type: ignore[override]
        email = self.normalize_email(email or username).lower()
        user = self.model(username=email, email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractUser):
    """A person who signs in. They sign in with their e-mail address (kept in `username` too)."""

    email = models.EmailField("adresse e-mail", unique=True)

    objects = CitemploiUserManager()  # type: ignore[misc]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        verbose_name = "utilisateur·rice"
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.email


class SignInAttempt(models.Model):
    """One sign-in attempt (password or second-factor code), successful or not.

    The lockout counts the failures of an e-mail address (whether an account exists or not, so that the answer
    never reveals it) and of an IP address in a sliding window; rows older than the window are pruned daily.
    """

    class Kind(models.TextChoices):
        PASSWORD = "password", "mot de passe"
        SECOND_FACTOR = "totp", "second facteur"
        REAUTH = "reauth", "confirmation d'identité"

    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PASSWORD)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ip", "created_at"])]

    def __str__(self) -> str:
        return f"{self.email} {'ok' if self.succeeded else 'échec'} {self.created_at:%Y-%m-%d %H:%M}"


class RateLimitCounter(models.Model):
    """A fixed-window counter of citemploi.core.ratelimit, shared by every process through the database.

    The key is a hash of (action, client), so that IP addresses and e-mails are not stored in clear.
    """

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="unique_ratelimit_window")
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.count}"


class TwoFactorDevice(models.Model):
    """A user's TOTP authenticator (RFC 6238, 30-second steps, 6 digits), confirmed by a first valid code.

    `last_used_step` forbids replaying a code: a code is accepted only for a step later than the last one.
    The secret is encrypted at rest (citemploi.accounts.crypto): the column holds a Fernet token.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor_device")
    secret = EncryptedCharField(max_length=255)
    confirmed_at = models.DateTimeField()
    last_used_step = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "application d'authentification"

    def __str__(self) -> str:
        return f"TOTP de {self.user}"


class RecoveryCode(models.Model):
    """A single-use recovery code, stored hashed (SHA-256: the codes are random, 50 bits each)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="unique_recovery_code")]

    def __str__(self) -> str:
        return f"code de secours de {self.user}"
