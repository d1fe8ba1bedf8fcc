"""`citemploi retention [--dry-run] [--cite SLUG]`: apply the retention rules now (the worker does it daily).

Prints counts per cité, never names.
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.people.retention import apply_retention
from citemploi.territory.models import Cite


class Command(BaseCommand):
    help = (
        "Anonymise ou supprime les fiches atteintes par la durée de conservation (ou simule avec --dry-run)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien modifier.")
        parser.add_argument("--cite", metavar="SLUG", help="Une seule cité (identifiant).")

    def handle(self, *args, **options) -> None:
        cites = Cite.objects.order_by("slug")
        if options["cite"]:
            cites = cites.filter(slug=options["cite"])
            if not cites.exists():
                raise CommandError(f"Aucune cité n'a l'identifiant {options['cite']}.")
        dry_run = options["dry_run"]
        for cite in cites:
            run = apply_retention(cite, dry_run=dry_run, via="cli")
            verb = (
                ("seraient anonymisées", "seraient supprimées") if dry_run else ("anonymisées", "supprimées")
            )
            self.stdout.write(
                f"{cite.slug} : {run.anonymised} personne(s) {verb[0]}, {run.deleted} personne(s) {verb[1]} "
                f"(conservation {run.retention_months} mois après la sortie)."
            )
