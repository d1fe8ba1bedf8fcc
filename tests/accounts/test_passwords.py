import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from citemploi import settings as project_settings
from tests.factories import UserFactory


def test_argon2_is_the_hasher_of_new_passwords():
    # tests/conftest.py swaps in a fast hasher: read the project's settings module itself
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_argon2_hashes_for_real(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert identify_hasher(make_password("une phrase de passe solide")).algorithm == "argon2"


def _errors(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("court-1", "trop court"),
        ("123456789012345", "entièrement numérique"),
        ("qwertyuiop123", "trop courant"),
        ("MonCitemploi2026!", "nom du site"),
        ("la-cite-de-l-emploi-99", "nom du site"),
    ],
)
def test_weak_passwords_are_refused_in_french(password, expected):
    assert expected in _errors(password)


def test_a_password_containing_the_email_is_refused(db):
    user = UserFactory(email="martine.durand@example.org", first_name="", last_name="")
    assert "adresse e-mail" in _errors("xx-Martine.Durand-42!", user)


def test_a_long_unrelated_passphrase_is_accepted(db):
    user = UserFactory(email="martine.durand@example.org")
    assert _errors("cheval agrafe pile correcte", user) == ""
