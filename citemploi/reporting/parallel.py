"""Several indicators computed at once, each on its own database connection.

A dashboard, an export or `citemploi indicators --all-cites` computes some thirty independent indicators; almost
all of their time is spent in the database (SQLite's engine or PostgreSQL's server process), during which Python
threads do not hold the GIL. Up to INDICATOR_WORKERS threads (the request's own thread among them) take the
indicators one by one, the longest first (as measured by the last computation in this process), each thread on
its own connection, closed when it is done.

Other connections cannot see the writes of a transaction not yet committed: inside an atomic block on the
database the figures are read from, the indicators are computed one after the other on the current connection,
as before (a test's transaction, a command computing in its own transaction).
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from citemploi.core.dbrouter import reads_for_reporting, replica_configured

if TYPE_CHECKING:
    from citemploi.reporting.indicators.base import Indicator, Query, Table

#: seconds of each indicator's last computation in this process (scheduling only: the longest go first, so
#: that no thread is left with a long one at the end while the others wait)
_last_seconds: dict[str, float] = {}

THREAD_NAME = "citemploi-indicators"


def workers_for(count: int) -> int:
    """How many threads compute `count` indicators here (1: one after the other, on this connection)."""
    workers = min(int(settings.INDICATOR_WORKERS), count)
    if workers <= 1:
        return 1
    if not replica_configured() and connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return 1  # other connections would not see this transaction's writes
    return workers


def compute(indicators: Sequence[Indicator], query: Query) -> list[Table]:
    """`indicator.run(query)` for each indicator, in the given order, with up to INDICATOR_WORKERS threads."""
    order = sorted(range(len(indicators)), key=lambda i: -_last_seconds.get(indicators[i].code, 0.0))
    results: list[Table | None] = [None] * len(indicators)
    errors: list[BaseException] = []
    lock = threading.Lock()
    pending = iter(order)

    def take() -> int | None:
        with lock:
            return None if errors else next(pending, None)

    def work() -> None:
        with reads_for_reporting():
            while (index := take()) is not None:
                started = time.perf_counter()
                try:
                    results[index] = indicators[index].run(query)
                except BaseException as error:  # raised again in the calling thread
                    with lock:
                        errors.append(error)
                    return
                _last_seconds[indicators[index].code] = time.perf_counter() - started

    def thread_body() -> None:
        try:
            work()
        finally:
            connections.close_all()  # this thread's own connections only (they are per thread)

    threads = [
        # each thread runs in a copy of the caller's context: the acting cité, the reads for reporting
        threading.Thread(
            target=contextvars.copy_context().run, args=(thread_body,), name=THREAD_NAME, daemon=True
        )
        for _ in range(workers_for(len(indicators)) - 1)
    ]
    for thread in threads:
        thread.start()
    try:
        work()  # the calling thread takes its share on its own connection
    finally:
        for thread in threads:
            thread.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]
