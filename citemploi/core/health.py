"""Health and readiness endpoints for the orchestrator or the load balancer, and the benchmark's floor page.

- `/sante/` (liveness): the process answers; no database access, so a slow database does not get a healthy
  process killed.
- `/sante/pret/` (readiness): the database answers a trivial query and every migration is applied; the
  last sign of life of the task worker is reported when one is recorded (informational: the web process
  can serve without a worker).

Both answer JSON without personal data, are public (`login_not_required`), take no CSRF token (GET only)
and are never cached. The floor page (`bench_floor`) exists only when CITEMPLOI_BENCH=true.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    """The process is up and answers (no database access)."""
    return JsonResponse({"statut": "ok"})


def _database_check() -> str:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _pending_migrations() -> int:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    targets = executor.loader.graph.leaf_nodes()
    return len(executor.migration_plan(targets))


def _worker_last_seen() -> datetime | None:
    """The latest sign of life of a task worker: a periodic job it enqueued or a task it started.

    The worker writes no dedicated heartbeat; these two marks are what it leaves in the database.
    """
    from django_tasks_db.models import DBTaskResult

    from citemploi.core.models import PeriodicJobRun

    marks = [
        PeriodicJobRun.objects.aggregate(last=Max("enqueued_at"))["last"],
        DBTaskResult.objects.aggregate(last=Max("started_at"))["last"],
    ]
    seen = [mark for mark in marks if mark is not None]
    return max(seen) if seen else None


@login_not_required
@never_cache
@require_GET
def readiness(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the database answers and no migration is pending (200), otherwise 503."""
    checks: dict[str, object] = {}
    ready = True
    try:
        checks["base_de_donnees"] = _database_check()
    except Exception:  # noqa: BLE001 - any database failure means not ready
        logger.exception("readiness: database unreachable")
        return JsonResponse({"statut": "indisponible", "base_de_donnees": "injoignable"}, status=503)
    try:
        pending = _pending_migrations()
    except Exception:  # noqa: BLE001 - a broken migration graph means not ready either
        logger.exception("readiness: migration state unreadable")
        pending = -1
    checks["migrations_en_attente"] = pending
    if pending != 0:
        ready = False
    try:
        last_seen = _worker_last_seen()
        checks["worker_derniere_activite"] = last_seen.isoformat() if last_seen else None
    except Exception:  # noqa: BLE001 - informational only
        logger.exception("readiness: worker activity unreadable")
        checks["worker_derniere_activite"] = None
    status = 200 if ready else 503
    return JsonResponse({"statut": "ok" if ready else "indisponible", **checks}, status=status)


@never_cache
def bench_floor(request: HttpRequest) -> HttpResponse:
    """The framework floor of the benchmark: a tiny page behind the whole middleware stack, signed in.

    It answers only when CITEMPLOI_BENCH=true (404 otherwise), so production never exposes it.
    """
    if not getattr(settings, "CITEMPLOI_BENCH", False):
        raise Http404
    return HttpResponse(
        "<!doctype html><html lang=fr><title>plancher</title><p>ok</p></html>",
        content_type="text/html; charset=utf-8",
    )
