"""Housekeeping jobs."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task

from citemploi.core.models import PeriodicJobRun
from citemploi.core.periodic import periodic


@periodic("core.clear_expired_sessions", every="daily", at_hour=3)
@task()
def clear_expired_sessions() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@periodic("core.prune_task_results", every="daily", at_hour=3)
@task()
def prune_task_results(days: int = 30) -> int:
    """Finished task results and periodic-run markers older than `days` are removed."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()
    PeriodicJobRun.objects.filter(enqueued_at__lt=cutoff).delete()
    return deleted
