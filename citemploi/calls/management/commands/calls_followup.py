"""`citemploi calls_followup`: run the calls' daily follow-up now (the worker runs it every morning).

Closes the published calls whose closing minute has passed, moves the actions whose agreement has ended to
« bilan attendu », declares « non recevable » the files not completed by their deadline, and reminds the holders whose report is due within 15 days (at most once a week). The
changes are logged as done by the system.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from citemploi.calls import tasks


class Command(BaseCommand):
    help = "Suivi quotidien des appels à projets : clôtures, bilans attendus, rappels aux porteurs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Afficher ce qui serait fait, sans rien changer."
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        if dry_run:
            with transaction.atomic():
                closed = tasks.close_past_calls()
                due = tasks.mark_reports_due()
                expired = tasks.expire_completions()
                transaction.set_rollback(True)
            self.stdout.write(
                f"À faire : {closed} appel(s) à clore, {due} bilan(s) à déclarer attendus, "
                f"{expired} dossier(s) non complété(s) à temps à déclarer non recevables."
            )
            return
        result = tasks.daily_followup.call()
        self.stdout.write(
            f"{result['calls_closed']} appel(s) clos, {result['reports_due']} bilan(s) attendu(s), "
            f"{result['completions_expired']} dossier(s) non complété(s) à temps, "
            f"{result['reminders']} rappel(s) envoyé(s)."
        )
