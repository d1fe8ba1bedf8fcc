"""Password rules added to Django's (length ≥ 12, not common, not only digits, not close to the user's data)."""

import re
from typing import Any

from django.core.exceptions import ValidationError

#: words everyone would guess for this site
SITE_WORDS = ("citemploi", "citeemploi", "citedelemploi")


def _squeeze(text: str) -> str:
    """Lower case, accents and separators removed: « Cité-de-l'Emploi » → « citedelemploi »."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", plain)


class ForbiddenWordsValidator:
    """The password must not contain the name of the site, nor the user's e-mail address (its part before @)."""

    def validate(self, password: str, user: Any = None) -> None:
        squeezed = _squeeze(password)
        if any(word in squeezed for word in SITE_WORDS):
            raise ValidationError(
                "Le mot de passe ne doit pas contenir le nom du site (citemploi, cité de l'emploi).",
                code="password_contains_site_name",
            )
        email = getattr(user, "email", "") or ""
        local = _squeeze(email.split("@", 1)[0])
        if len(local) >= 4 and local in squeezed:
            raise ValidationError(
                "Le mot de passe ne doit pas contenir votre adresse e-mail.",
                code="password_contains_email",
            )

    def get_help_text(self) -> str:
        return "Votre mot de passe ne doit contenir ni le nom du site ni votre adresse e-mail."
