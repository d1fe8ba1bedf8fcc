"""Reads of the indicators on a PostgreSQL read replica, when one is configured (REPORTING_DATABASE_URL).

Dashboards, exports and the Copil report read a whole cité (or every cité) at once: on a replica, they no longer
compete with the writes of the people's files. Only the indicator computations go there (inside
`reads_for_reporting()`); everything else, every write and every migration stays on `default`. Cached results
stay consistent with the replica's lag: their data versions are read from the replica too, before the figures,
so a result may be newer than its versions, never older (citemploi/reporting/freshness.py).
"""

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.conf import settings

REPLICA = "replica"

_reporting = contextvars.ContextVar("citemploi_reads_for_reporting", default=False)


@contextlib.contextmanager
def reads_for_reporting() -> Iterator[None]:
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReportingReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reporting.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as default

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
