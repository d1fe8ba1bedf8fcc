"""`citemploi demo_logins`: the address of the platform and one demo login per role, in French."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from citemploi.accounts.models import User
from citemploi.demo import amiens
from citemploi.demo.logins import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Affiche l'adresse de la plateforme et un identifiant de démonstration par rôle."

    def handle(self, *args: Any, **options: Any) -> None:
        emails = {p.key: p.email for p in amiens.PERSONAS}
        present = set(User.objects.filter(email__in=emails.values()).values_list("email", flat=True))
        url = getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"
        self.stdout.write(f"citemploi : {url}")
        if not present:
            self.stdout.write(
                "Les données de démonstration ne sont pas chargées : lancez « citemploi demo » pour créer la "
                "cité Amiens Métropole et ses comptes."
            )
            return
        self.stdout.write(
            f"Comptes de démonstration (cité Amiens Métropole), mot de passe commun : {DEMO_PASSWORD}"
        )
        for login in DEMO_LOGINS:
            email = emails[login.persona]
            missing = "" if email in present else " (absent de la base)"
            self.stdout.write(f"  • {login.title} : {email}{missing}\n      {login.can}.")
        self.stdout.write(
            "Double authentification : les comptes de coordination et d'animation nationale activent, à leur "
            "première connexion, une application d'authentification (code à 6 chiffres, QR code affiché)."
        )
        self.stdout.write("Données fictives : ne chargez jamais la démonstration sur une base de production.")
