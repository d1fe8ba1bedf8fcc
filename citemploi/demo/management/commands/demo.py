"""`citemploi demo [--if-empty] [--seed N] [--cites N] [--people M] [--jobs N] [volumes]` (see docs/demo.md)."""

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.demo.bench import build_bench
from citemploi.demo.bench_activity import Volumes
from citemploi.demo.builder import DemoError, DemoSummary, build_amiens
from citemploi.territory.models import Cite


def _n(value: int) -> str:
    """12345 → "12 345" (French thousands separator)."""
    return f"{value:,}".replace(",", "\u202f")


def _g(value: float) -> str:
    """2.5 → "2,5", 10.0 → "10"."""
    return f"{value:g}".replace(".", ",")


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
        parser.add_argument(
            "--jobs",
            type=int,
            default=min(2, os.cpu_count() or 1),
            metavar="N",
            help="processus qui génèrent les cités en parallèle, sur PostgreSQL (par défaut un par cœur, au plus "
            "2) ; sur SQLite, un seul processus écrit",
        )
        defaults = Volumes()
        volumes = parser.add_argument_group("volumes du jeu de test (avec --cites)")
        volumes.add_argument(
            "--services-per-cite",
            type=int,
            default=defaults.services_per_cite,
            metavar="N",
            help=f"services de l'annuaire par cité (par défaut {defaults.services_per_cite})",
        )
        volumes.add_argument(
            "--journal-per-person",
            type=float,
            default=defaults.journal_per_person,
            metavar="X",
            help=f"entrées de journal par personne, en moyenne (par défaut {defaults.journal_per_person:g})",
        )
        volumes.add_argument(
            "--orientations-per-person",
            type=float,
            default=defaults.orientations_per_person,
            metavar="X",
            help=f"orientations par personne, en moyenne (par défaut {defaults.orientations_per_person:g})",
        )
        volumes.add_argument(
            "--outcome-share",
            type=float,
            default=defaults.outcome_share,
            metavar="P",
            help=f"part des personnes sorties du parcours, entre 0 et 1 (par défaut {defaults.outcome_share:g})",
        )
        volumes.add_argument(
            "--cohort-share",
            type=float,
            default=defaults.cohort_share,
            metavar="P",
            help=f"part des personnes proposées en cohorte, entre 0 et 1 (par défaut {defaults.cohort_share:g})",
        )
        volumes.add_argument(
            "--applications-per-cite",
            type=int,
            default=defaults.applications_per_cite,
            metavar="N",
            help=f"dossiers d'appel à projets par cité (par défaut {defaults.applications_per_cite})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed = options["seed"] if options["seed"] is not None else settings.CITEMPLOI_DEMO_SEED
        cites, people = options["cites"], options["people"]
        if cites is not None and cites < 1:
            raise CommandError("--cites doit être au moins 1.")
        if people is not None and people < 0:
            raise CommandError("--people ne peut pas être négatif.")
        if options["jobs"] < 1:
            raise CommandError("--jobs doit être au moins 1.")
        volumes = self._volumes(options)
        if options["if_empty"] and Cite.objects.exists():
            self.stdout.write("La base contient déjà une cité : données de démonstration non chargées.")
            return
        try:
            if cites is None:
                summary = build_amiens(seed=seed, people=150 if people is None else people)
                self.stdout.write(self._amiens_report(summary))
            else:
                total = 150 * cites if people is None else people
                self.stdout.write(self._volumes_report(cites, total, volumes))
                summary = build_bench(
                    cites=cites,
                    people=total,
                    seed=seed,
                    volumes=volumes,
                    progress=self._progress,
                    jobs=options["jobs"],
                )
                self.stdout.write(self._bench_report(summary))
        except DemoError as exc:
            raise CommandError(str(exc)) from exc

    def _progress(self, line: str) -> None:
        # flushed at once: the lines of the worker processes (--jobs) come in as the cités are built
        self.stdout.write(line)
        self.stdout.flush()

    def _volumes(self, options: dict[str, Any]) -> Volumes:
        counts = ("services_per_cite", "applications_per_cite")
        averages = ("journal_per_person", "orientations_per_person")
        shares = ("outcome_share", "cohort_share")
        for name in counts + averages + shares:
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} ne peut pas être négatif.")
        for name in shares:
            if options[name] > 1:
                raise CommandError(f"--{name.replace('_', '-')} est une part, entre 0 et 1.")
        return Volumes(**{name: options[name] for name in counts + averages + shares})

    def _volumes_report(self, cites: int, people: int, v: Volumes) -> str:
        return (
            f"Volumes : {cites} cités, {_n(people)} personnes ; par cité {_n(v.services_per_cite)} services et "
            f"{_n(v.applications_per_cite)} dossiers d'appel à projets ; par personne en moyenne "
            f"{_g(v.journal_per_person)} entrées de journal, {_g(v.orientations_per_person)} orientations, "
            f"1 à 3 freins ; {_g(100 * v.outcome_share)} % de sorties, {_g(100 * v.cohort_share)} % de "
            "candidatures en cohorte."
        )

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
            f"{_n(s.sensitive)} avec des informations sensibles), {_n(s.services)} services dans l'annuaire"
            + "".join(f", {_n(count)} {label}" for label, count in s.extra.items())
            + f" — {_n(int(rate))} personnes par seconde."
        )
