"""Periodic jobs run by the task worker.

Each domain declares its jobs in its `tasks.py` with `@periodic(...)` on a django-tasks task. The worker's
scheduler enqueues a job once per period, whatever the number of workers: the (job, period) pair is
claimed with a unique row (PeriodicJobRun) before enqueueing.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from citemploi.core.models import PeriodicJobRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: Any  # a django_tasks Task
    every: str  # "daily" | "hourly"
    at_hour: int = 0

    def period(self, now: datetime) -> str | None:
        """The period key the job is due for at `now` (local time), or None if not yet due today."""
        local = timezone.localtime(now)
        if self.every == "hourly":
            return local.strftime("%Y-%m-%dT%H")
        if self.every == "daily":
            return local.date().isoformat() if local.hour >= self.at_hour else None
        raise ValueError(f"Unknown period {self.every!r}")


JOBS: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every: str = "daily", at_hour: int = 0) -> Callable[[Any], Any]:
    """Register a task as a periodic job."""
    if every not in {"daily", "hourly"}:
        raise ValueError(f"Unknown period {every!r}")

    def register(task: Any) -> Any:
        JOBS[name] = PeriodicJob(name=name, task=task, every=every, at_hour=at_hour)
        return task

    return register


def schedule_due_jobs(now: datetime | None = None) -> list[str]:
    """Enqueue every job due at `now` that has not been enqueued for its period yet; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in JOBS.values():
        period = job.period(now)
        if period is None:
            continue
        try:
            with transaction.atomic():
                PeriodicJobRun.objects.create(job=job.name, period=period)
                job.task.enqueue()
        except IntegrityError:
            continue  # another worker claimed this period
        logger.info("periodic job enqueued", extra={"task": job.name})
        enqueued.append(job.name)
    return enqueued
