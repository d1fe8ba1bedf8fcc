"""`citemploi calls_purge_documents [--dry-run]`: delete now the stored documents that no file references
(the worker does it every night). `--dry-run` lists them without deleting anything."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from citemploi.calls.storage import purge_orphan_documents


class Command(BaseCommand):
    help = "Supprime les pièces stockées qu'aucun dossier ne référence plus (appels à projets)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Lister les fichiers orphelins, sans rien supprimer."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        result = purge_orphan_documents(dry_run=dry_run)
        for name in result.orphans:
            self.stdout.write(f"{'à supprimer' if dry_run else 'supprimé'} : {name}")
        verb = "à supprimer" if dry_run else "supprimé(s)"
        self.stdout.write(
            f"{result.scanned} fichier(s) examiné(s), {result.referenced} référencé(s), "
            f"{result.recent} récent(s) conservé(s), {len(result.orphans)} orphelin(s) {verb}."
        )
