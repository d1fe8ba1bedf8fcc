"""`citemploi reset_2fa EMAIL`: remove a user's authenticator and recovery codes (lost phone).

Run by the platform's administrator after checking the person's identity out of band; the user enrols a new
authenticator at their next sign-in. The reset is written to the audit log.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from citemploi.accounts import security
from citemploi.accounts.models import User


class Command(BaseCommand):
    help = "Réinitialise la double authentification d'un compte (téléphone perdu) : nouvel enrôlement à la prochaine connexion."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email", help="adresse e-mail du compte")

    def handle(self, *args: Any, **options: Any) -> None:
        email = security.normalise_email(options["email"])
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"Aucun compte avec l'adresse {email}.")
        had_device = security.reset_second_factor(user, via="cli")
        if had_device:
            self.stdout.write(
                f"Double authentification réinitialisée pour {email} : un nouvel enrôlement sera demandé à la "
                "prochaine connexion."
            )
        else:
            self.stdout.write(
                f"{email} n'avait pas de double authentification active ; rien à réinitialiser."
            )
