"""`citemploi import_qpv_reference PATH --year Y [--dry-run]` (format: docs/guide/diagnostic.md)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.diagnostic.imports import ImportResult, ReferenceImportError, decode, import_references

MAX_ERRORS_SHOWN = 100


def report(result: ImportResult, dry_run: bool = False) -> list[str]:
    lines = []
    if dry_run:
        lines.append("Simulation (--dry-run) : rien n'a été enregistré. Voici ce que l'import ferait :")
    lines.append(
        f"Indicateurs de référence : {result.created} QPV créé(s), {result.updated} mis à jour, "
        f"{result.unchanged} inchangé(s) (sur {result.total} dans le fichier)."
    )
    if not (result.created or result.updated):
        lines.append("Aucun changement : la base était déjà à jour.")
    return lines


class Command(BaseCommand):
    help = (
        "Importe les indicateurs de référence des QPV (population, demandeurs d'emploi, RSA, parts et taux) "
        "d'un fichier CSV pour une année. Tout ou rien, rejouable. Modèle : citemploi qpv_reference_template."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="fichier CSV (séparateur point-virgule, virgule décimale acceptée)")
        parser.add_argument("--year", type=int, required=True, help="année des indicateurs")
        parser.add_argument("--dry-run", action="store_true", help="vérifie et compte sans rien enregistrer")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            result = import_references(
                decode(path.read_bytes()),
                year=options["year"],
                file_name=path.name,
                dry_run=options["dry_run"],
            )
        except ReferenceImportError as exc:
            for error in exc.errors[:MAX_ERRORS_SHOWN]:
                self.stderr.write(error)
            if len(exc.errors) > MAX_ERRORS_SHOWN:
                self.stderr.write(f"… et {len(exc.errors) - MAX_ERRORS_SHOWN} autres.")
            raise CommandError(exc.message) from None
        for line in report(result, options["dry_run"]):
            self.stdout.write(line)
