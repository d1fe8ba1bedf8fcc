"""Timestamps in aggregate SQL, without a Python function called for each row.

Django turns an instant into its Europe/Paris date (`__date`, `TruncDate`) and subtracts two instants with
functions that SQLite calls back in Python, row by row, and that no index can serve. The indicators filter
instead on the instants where the period's local days begin, and take elapsed times as whole microseconds
computed by the database. Both work on SQLite and PostgreSQL and give exactly the figures of the local
dates and `timedelta`s they replace.
"""

from datetime import datetime, time, timedelta
from typing import Any

from django.db import NotSupportedError
from django.db.models import BigIntegerField, Func
from django.utils import timezone

from citemploi.reporting.indicators.base import Period


def local_day_bounds(period: Period) -> tuple[datetime, datetime]:
    """The instants where the period's first day starts and the day after its last one starts, in the
    current time zone (Europe/Paris): an instant falls on a local date of the period exactly when it lies
    in [start, end). Filtering on these bounds compares the stored timestamps as they are (the index on
    them serves), instead of converting every row to its local date."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period.start, time.min), zone)
    end = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min), zone)
    return start, end


class ElapsedMicroseconds(Func):
    """The exact whole number of microseconds from one timestamp to a later one, computed by the database
    (no Python function called for each row, as Django's duration arithmetic does on SQLite).

    SQLite stores a timestamp as UTC text `YYYY-MM-DD HH:MM:SS[.ffffff]`: the whole seconds come from
    `strftime('%s')` over the first 19 characters (the fraction left out, so that it is never rounded
    into the next second) and the microseconds from the fraction, padded to six digits. PostgreSQL
    subtracts the two instants and reads the interval's seconds, exact to the microsecond."""

    output_field = BigIntegerField()

    def __init__(self, end: object, start: object) -> None:
        super().__init__(end, start)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        raise NotSupportedError("ElapsedMicroseconds is written for SQLite and PostgreSQL only.")

    def as_sqlite(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        (end_sql, end_params), (start_sql, start_params) = (
            compiler.compile(e) for e in self.source_expressions
        )

        def seconds(sql: str) -> str:
            return f"CAST(strftime('%%s', substr({sql}, 1, 19)) AS INTEGER)"

        def micro(sql: str) -> str:
            return f"CAST(substr(substr({sql}, 21) || '000000', 1, 6) AS INTEGER)"

        sql = f"(({seconds(end_sql)} - {seconds(start_sql)}) * 1000000 + ({micro(end_sql)} - {micro(start_sql)}))"
        return sql, (*end_params, *start_params, *end_params, *start_params)

    def as_postgresql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        (end_sql, end_params), (start_sql, start_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        return (
            f"CAST(ROUND(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) * 1000000) AS BIGINT)",
            (*end_params, *start_params),
        )
