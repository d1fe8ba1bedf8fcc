"""`citemploi import_situations PATH`: import a referential of situations (the detail of a barrier).

PATH is a CSV with the columns `theme,description` (such as the carnet de bord's `ref_situation.csv`), and
optionally `code`. Themes are mapped to the 11 barriers (see docs/guide/parcours.md); `--map theme=barrier`
changes or adds a mapping (`--map emploi=reseau-professionnel`, `--map formation=` to ignore a theme). The
import is idempotent by code and all or nothing: one bad line and nothing is written, every error is listed.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.offer.referentials import BARRIERS_BY_CODE
from citemploi.pathways.importing import ImportFailed, import_situations


class Command(BaseCommand):
    help = "Importe un référentiel de situations (détail des freins) depuis un fichier CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, help="Fichier CSV (colonnes theme, description, code facultatif)."
        )
        parser.add_argument(
            "--source", default="", help="Nom de la nomenclature (par défaut : le nom du fichier)."
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="THEME=FREIN",
            help="Associe un thème à un code de frein (vide : thème ignoré). Répétable.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Vérifie et rend compte sans rien écrire.")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["path"]  # type: ignore[assignment]
        overrides: dict[str, str | None] = {}
        for item in options["map"]:  # type: ignore[attr-defined]
            theme, sep, barrier = str(item).partition("=")
            if not sep or not theme.strip():
                raise CommandError(f"--map « {item} » : la forme attendue est THEME=FREIN.")
            barrier = barrier.strip()
            if barrier and barrier not in BARRIERS_BY_CODE:
                raise CommandError(
                    f"--map « {item} » : frein « {barrier} » inconnu ({', '.join(BARRIERS_BY_CODE)})."
                )
            overrides[theme.strip()] = barrier or None
        source = str(options["source"] or path.stem)[:100]
        try:
            report = import_situations(
                path, source=source, overrides=overrides, dry_run=bool(options["dry_run"])
            )
        except ImportFailed as exc:
            lines = "\n".join(f"  {e}" for e in exc.errors)
            raise CommandError(f"Import refusé, rien n'a été enregistré :\n{lines}") from exc
        for title, entries in (
            ("Créées", report.created),
            ("Mises à jour", report.updated),
            ("Inchangées", report.unchanged),
            ("Ignorées", report.ignored),
        ):
            self.stdout.write(f"{title} : {len(entries)}")
            for entry in entries:
                self.stdout.write(f"  {entry}")
        verb = "vérifié (rien n'a été écrit)" if options["dry_run"] else "terminé"
        self.stdout.write(self.style.SUCCESS(f"Import {verb} : source « {source} »."))
