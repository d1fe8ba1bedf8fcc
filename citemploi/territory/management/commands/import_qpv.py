"""`citemploi import_qpv PATH [--contours GEOJSON] [--communes JSON] [--dry-run]` (see docs/import-qpv.md)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.territory.imports import Counts, ImportResult, QPVImportError, import_qpv

#: errors printed before "… et N autres"
MAX_ERRORS_SHOWN = 100


def _agree(count: int, word: str, feminine: bool) -> str:
    """French agreement of a past participle: 1 créée, 2 créées, 2 mis (already plural)."""
    if feminine:
        word += "e"
    if count > 1 and not word.endswith("s"):
        word += "s"
    return f"{count} {word}"


def _counts(counts: Counts, feminine: bool = False) -> str:
    return (
        f"{_agree(counts.created, 'créé', feminine)}, {_agree(counts.updated, 'mis', feminine)} à jour, "
        f"{_agree(counts.unchanged, 'inchangé', feminine)}"
    )


def summary(result: ImportResult, elapsed: float | None = None) -> list[str]:
    """The report of an import, in French, one line per item."""
    lines = []
    if result.dry_run:
        lines.append("Simulation (--dry-run) : rien n'a été enregistré. Voici ce que l'import ferait :")
    lines.append(f"QPV : {_counts(result.qpv)} (sur {result.qpv.total} dans le fichier).")
    lines.append(f"Communes : {_counts(result.communes, feminine=True)}.")
    if result.contours_written:
        lines.append(f"Contours : {result.contours_written} enregistré(s).")
    if result.contours_missing:
        lines.append(
            f"{result.contours_missing} QPV sans contour dans le fichier GeoJSON : contour actuel conservé."
        )
    if result.contours_ignored:
        sample = ", ".join(result.contours_ignored[:10])
        more = "…" if len(result.contours_ignored) > 10 else ""
        lines.append(
            f"{len(result.contours_ignored)} contour(s) ignoré(s), QPV absents de la liste : {sample}{more}"
        )
    if result.absent_from_file:
        lines.append(
            f"{result.absent_from_file} QPV déjà en base ne figurent pas dans le fichier : "
            "laissés tels quels."
        )
    if not result.changed:
        lines.append("Aucun changement : la base était déjà à jour.")
    if elapsed is not None:
        lines.append(f"Durée : {elapsed:.1f} s.".replace(".", ",", 1))
    return lines


class Command(BaseCommand):
    help = (
        "Importe la liste officielle des QPV (CSV code_qpv, libelle, dep_code_from_qpv_code, "
        "insee_communes), avec en option leurs contours (GeoJSON) et le nom des communes (JSON). "
        "Tout ou rien, rejouable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="fichier CSV de la liste des QPV")
        parser.add_argument(
            "--contours", metavar="GEOJSON", help="FeatureCollection GeoJSON (propriété code_qpv)"
        )
        parser.add_argument("--communes", metavar="JSON", help="noms des communes par code INSEE")
        parser.add_argument("--dry-run", action="store_true", help="vérifie et compte sans rien enregistrer")
        parser.add_argument("--list-version", default="2024", help="version de la liste (2024 par défaut)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = import_qpv(
                options["path"],
                contours_path=options["contours"],
                communes_path=options["communes"],
                dry_run=options["dry_run"],
                list_version=options["list_version"],
            )
        except QPVImportError as exc:
            for error in exc.errors[:MAX_ERRORS_SHOWN]:
                self.stderr.write(f"  {error}")
            if len(exc.errors) > MAX_ERRORS_SHOWN:
                self.stderr.write(f"  … et {len(exc.errors) - MAX_ERRORS_SHOWN} autre(s) erreur(s).")
            raise CommandError(exc.message) from exc
        for line in summary(result, time.monotonic() - started):
            self.stdout.write(line)
