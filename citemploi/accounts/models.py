from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


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
