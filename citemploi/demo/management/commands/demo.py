"""`citemploi demo [--if-empty] [--seed N] [--cites N] [--people M]` (see docs/demo.md)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.demo.bench import build_bench
from citemploi.demo.builder import DemoError, DemoSummary, build_amiens
from citemploi.territory.models import Cite


def _n(value: int) -> str:
    """12345 → "12 345" (French thousands separator)."""
    return f"{value:,}".replace(",", "\u202f")


def _seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " s"


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration : la cité Amiens Métropole (par défaut), ou avec --cites N "
        "un jeu de données de test de N cités et --people M personnes. Données fictives, déterministes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="ne fait rien si la base contient déjà une cité"
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=None,
            help=f"graine du générateur (par défaut {settings.CITEMPLOI_DEMO_SEED}, CITEMPLOI_DEMO_SEED)",
        )
        parser.add_argument(
            "--cites", type=int, default=None, metavar="N", help="nombre de cités (jeu de test)"
        )
        parser.add_argument(
            "--people",
            type=int,
            default=None,
            metavar="M",
            help="nombre de personnes accompagnées (150 pour la démo ; 150 par cité avec --cites)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed = options["seed"] if options["seed"] is not None else settings.CITEMPLOI_DEMO_SEED
        cites, people = options["cites"], options["people"]
        if cites is not None and cites < 1:
            raise CommandError("--cites doit être au moins 1.")
        if people is not None and people < 0:
            raise CommandError("--people ne peut pas être négatif.")
        if options["if_empty"] and Cite.objects.exists():
            self.stdout.write("La base contient déjà une cité : données de démonstration non chargées.")
            return
        try:
            if cites is None:
                summary = build_amiens(seed=seed, people=150 if people is None else people)
                self.stdout.write(self._amiens_report(summary))
            else:
                total = 150 * cites if people is None else people
                summary = build_bench(
                    cites=cites, people=total, seed=seed, progress=lambda line: self.stdout.write(line)
                )
                self.stdout.write(self._bench_report(summary))
        except DemoError as exc:
            raise CommandError(str(exc)) from exc

    def _amiens_report(self, s: DemoSummary) -> str:
        return (
            f"Cité de démonstration « Amiens Métropole » créée en {_seconds(s.seconds)} : {s.qpvs} QPV, "
            f"{s.structures} structures partenaires, {s.users} utilisateurs, {_n(s.people)} personnes accompagnées "
            f"({_n(s.consents)} consentements, {_n(s.followups)} membres de groupes de suivi, "
            f"{s.sensitive} avec des informations sensibles), {s.services} services dans l'annuaire"
            + "".join(f", {_n(count)} {label}" for label, count in s.extra.items())
            + ".\nIdentifiants de connexion : citemploi demo_logins"
        )

    def _bench_report(self, s: DemoSummary) -> str:
        rate = s.people / s.seconds if s.seconds else 0
        return (
            f"Jeu de données de test créé en {_seconds(s.seconds)} : {s.cites} cités, {s.qpvs} QPV, "
            f"{_n(s.structures)} structures, {_n(s.users)} utilisateurs, {_n(s.people)} personnes "
            f"({_n(s.consents)} consentements, {_n(s.followups)} membres de groupes de suivi, "
            f"{_n(s.sensitive)} avec des informations sensibles) — {_n(int(rate))} personnes par seconde."
        )
