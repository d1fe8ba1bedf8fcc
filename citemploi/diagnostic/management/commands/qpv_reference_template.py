"""`citemploi qpv_reference_template [--output PATH]`: a sample file of the reference indicators format
(invented figures), to fill in a spreadsheet."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.diagnostic.imports import SAMPLE


class Command(BaseCommand):
    help = "Écrit un fichier CSV modèle des indicateurs de référence des QPV (valeurs fictives)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="fichier à écrire (sortie standard par défaut)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("output"):
            path = Path(options["output"])
            if path.exists():
                raise CommandError(f"{path} existe déjà : choisissez un autre nom.")
            path.write_text(SAMPLE, encoding="utf-8")
            self.stdout.write(f"Modèle écrit dans {path}.")
        else:
            self.stdout.write(SAMPLE, ending="")
