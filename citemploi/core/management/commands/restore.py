"""`citemploi restore PATH --yes`: replace the database with a backup written by `citemploi backup`.

Refuses without --yes, refuses a backup whose migrations the code does not know (newer than the code),
and checks the row counts of the manifest once restored.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from citemploi.core.management.commands.backup import SnapshotError, read_manifest, restore


class Command(BaseCommand):
    help = "Restaure une sauvegarde de la base de données (remplace toutes les données actuelles)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="Dossier écrit par « citemploi backup ».")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirme le remplacement de toutes les données actuelles par la sauvegarde.",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["path"]
        try:
            manifest = read_manifest(path)
            if not options["yes"]:
                raise CommandError(
                    f"La restauration remplace toutes les données actuelles par la sauvegarde du "
                    f"{manifest['created_at']} : relancez avec --yes pour confirmer."
                )
            restore(path)
        except SnapshotError as exc:
            raise CommandError(str(exc)) from exc
        self._forget_cached_figures()
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"Sauvegarde du {manifest['created_at']} restaurée : {rows} lignes, comptes vérifiés. "
            "Lancez « citemploi migrate » si le code est plus récent que la sauvegarde."
        )

    def _forget_cached_figures(self) -> None:
        """Indicator results cached before belong to other data: a new epoch makes them unreachable."""
        from django.db import DatabaseError, connections

        from citemploi.reporting import freshness

        connections.close_all()
        try:
            freshness.new_epoch()
        except DatabaseError:  # a backup older than the versions' table: `migrate` creates it with new epochs
            pass
