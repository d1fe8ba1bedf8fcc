"""`citemploi worker`: runs background tasks and enqueues periodic jobs when they are due."""

import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections

from citemploi.core.periodic import JOBS, schedule_due_jobs

logger = logging.getLogger(__name__)


def _scheduler_loop(stop: threading.Event, interval: float) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            schedule_due_jobs()
        except Exception:  # noqa: BLE001 - the scheduler must survive a transient database error
            logger.exception("periodic scheduler failed; retrying")
        finally:
            connections.close_all()
        stop.wait(interval)


class Command(BaseCommand):
    help = "Exécute les tâches de fond et planifie les tâches périodiques (rappels, expirations, ménage)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Traite les tâches en attente puis s'arrête."
        )
        parser.add_argument(
            "--no-scheduler", action="store_true", help="Ne planifie pas les tâches périodiques."
        )
        parser.add_argument("--schedule-interval", type=float, default=60.0)
        parser.add_argument("--interval", type=float, default=1.0)

    def handle(
        self, *args, batch: bool, no_scheduler: bool, schedule_interval: float, interval: float, **options
    ):
        verbosity = options.get("verbosity", 1)
        if verbosity:
            self.stdout.write(f"Tâches périodiques : {', '.join(sorted(JOBS)) or 'aucune'}")
        if batch:
            if not no_scheduler:
                schedule_due_jobs()
            call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=verbosity)
            return
        stop = threading.Event()
        if not no_scheduler:
            thread = threading.Thread(target=_scheduler_loop, args=(stop, schedule_interval), daemon=True)
            thread.start()
        try:
            call_command("db_worker", interval=interval, reload=False, verbosity=verbosity)
        finally:
            stop.set()
