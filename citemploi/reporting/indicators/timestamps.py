"""Timestamps in aggregate SQL, without a Python function called for each row.

Django turns an instant into its Europe/Paris date (`__date`, `TruncDate`) and subtracts two instants with
functions that SQLite calls back in Python, row by row, and that no index can serve. The indicators filter
instead on the instants where the period's local days begin, and take elapsed times as whole microseconds
computed by the database. Both work on SQLite and PostgreSQL and give exactly the figures of the local
dates and `timedelta`s they replace.
"""

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import NotSupportedError
from django.db.models import BigIntegerField, DateField, Func
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
    `unixepoch()` (`strftime('%s')` before SQLite 3.38) over the first 19 characters (the fraction left
    out, so that it is never rounded into the next second) and the microseconds from the fraction, padded
    to six digits. PostgreSQL
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

        def seconds(sql: str, *, whole: bool = False) -> str:
            text = sql if whole else f"substr({sql}, 1, 19)"
            if connection.Database.sqlite_version_info >= (3, 38):
                # unixepoch() gives the integer directly (twice as fast as formatting it as text)
                return f"unixepoch({text})"
            return f"CAST(strftime('%%s', {text}) AS INTEGER)"

        def micro(sql: str) -> str:
            return f"CAST(substr(substr({sql}, 21) || '000000', 1, 6) AS INTEGER)"

        exact = f"(({seconds(end_sql)} - {seconds(start_sql)}) * 1000000 + ({micro(end_sql)} - {micro(start_sql)}))"
        # two whole-second timestamps (no fraction: 19 characters) are read as they are, with no substr() and
        # no fraction to add: a third of the work for each row
        whole = f"({seconds(end_sql, whole=True)} - {seconds(start_sql, whole=True)}) * 1000000"
        sql = f"CASE WHEN length({end_sql}) = 19 AND length({start_sql}) = 19 THEN {whole} ELSE {exact} END"
        return sql, (
            *end_params,
            *start_params,
            *end_params,
            *start_params,
            *end_params,
            *start_params,
            *end_params,
            *start_params,
        )

    def as_postgresql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        (end_sql, end_params), (start_sql, start_params) = (
            compiler.compile(e) for e in self.source_expressions
        )
        return (
            f"CAST(ROUND(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) * 1000000) AS BIGINT)",
            (*end_params, *start_params),
        )


def _offset_at(instant: datetime, zone: Any) -> timedelta:
    # (an aware instant always has an offset: the fallback only satisfies the type)
    return instant.astimezone(zone).utcoffset() or timedelta(0)


#: how far apart two changes of the time zone's offset are at least (Europe/Paris: months); the search for
#: the changes steps by it
_OFFSET_STEP = timedelta(hours=12)


def offset_segments(lower: datetime, upper: datetime) -> list[tuple[datetime, datetime, timedelta]]:
    """[lower, upper) cut where the current time zone's offset from UTC changes: (from, to, offset) with the
    offset constant on [from, to). The changes come from the zone's own rules (zoneinfo), found by stepping
    through the interval and narrowing each change down to the microsecond."""
    zone = timezone.get_current_timezone()
    # in UTC: the arithmetic of two instants of one zone is wall-clock arithmetic, wrong across a change
    lower, upper = lower.astimezone(UTC), upper.astimezone(UTC)
    segments: list[tuple[datetime, datetime, timedelta]] = []
    begin, current = lower, _offset_at(lower, zone)
    t = lower
    while t < upper:
        step_end = min(t + _OFFSET_STEP, upper)
        if step_end < upper and _offset_at(step_end, zone) != current:
            low, high = t, step_end  # offset(low) == current != offset(high)
            while high - low > timedelta(microseconds=1):
                middle = low + (high - low) / 2
                if _offset_at(middle, zone) == current:
                    low = middle
                else:
                    high = middle
            segments.append((begin, high, current))
            begin, current = high, _offset_at(high, zone)
        t = step_end
    segments.append((begin, upper, current))
    return segments


class LocalDate(Func):
    """The local date (current time zone, Europe/Paris) of a timestamp, as `TruncDate` gives it, computed by
    the database itself for the instants in [lower, upper) — usually the period's `local_day_bounds`, where
    the rows were filtered.

    On SQLite, `TruncDate` calls a Python function for each row: here the instant is shifted by the zone's
    offset from UTC, constant on each piece of [lower, upper) between two changes of hour (`offset_segments`),
    and the date read from its text (`_shifted_date`). An instant outside [lower, upper) falls back on Django's
    function, so that the result is always `TruncDate`'s. PostgreSQL converts natively (`AT TIME ZONE`)."""

    output_field = DateField()

    def __init__(self, expression: object, lower: datetime, upper: datetime) -> None:
        super().__init__(expression)
        self.lower, self.upper = lower, upper

    def _native(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        tzname = timezone.get_current_timezone_name()
        return connection.ops.datetime_cast_date_sql(sql, tuple(params), tzname)  # type: ignore[no-any-return]

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        return self._native(compiler, connection)

    @staticmethod
    def _shifted_date(sql: str, params: list[Any], offset: timedelta) -> tuple[str, list[Any]]:
        """SQLite: the date of a UTC timestamp `YYYY-MM-DD HH:MM:SS[.ffffff]` shifted by `offset` (less
        than a day): its own date, or the next (previous) one when its time of day reaches past midnight
        once shifted — compared as text on whole seconds, which is exact as the offset is whole seconds.
        Only those rows call `date()` (SQLite would round a fraction of a second to the millisecond: it is
        left out)."""
        seconds = int(offset.total_seconds())
        if seconds == 0:
            return f"substr({sql}, 1, 10)", params
        if seconds > 0:
            limit, test, step = 86400 - seconds, "<", "+1 day"
        else:
            limit, test, step = -seconds, ">=", "-1 day"
        hms = f"{limit // 3600:02d}:{limit % 3600 // 60:02d}:{limit % 60:02d}"
        return (
            f"CASE WHEN substr({sql}, 12, 8) {test} %s THEN substr({sql}, 1, 10)"
            f" ELSE date(substr({sql}, 1, 10), %s) END",
            [*params, hms, *params, *params, step],
        )

    def as_sqlite(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        fallback_sql, fallback_params = self._native(compiler, connection)
        whens, when_params = [], []  # type: tuple[list[str], list[Any]]
        adapt = connection.ops.adapt_datetimefield_value
        for begin, end, offset in offset_segments(self.lower, self.upper):
            day_sql, day_params = self._shifted_date(sql, list(params), offset)
            whens.append(f"WHEN {sql} >= %s AND {sql} < %s THEN {day_sql}")
            when_params += [*params, adapt(begin), *params, adapt(end), *day_params]
        return (
            f"CASE {' '.join(whens)} ELSE {fallback_sql} END",
            (*when_params, *fallback_params),
        )
