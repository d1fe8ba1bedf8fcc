"""Opening and closing date-times of a call, in Europe/Paris.

Decision (documented in docs/guide/appels-a-projets.md): a call's closing time is a minute, and that minute
is **inclusive**. A call that closes « le 22 mai 2023 à 23h59 » accepts a file sent at 23:59:59.999 (Paris
time); at 00:00:00 on 23 May the file is late. The opening time is inclusive too (a call opening at 9h00
accepts a file sent at 9:00:00).

Times are stored as aware datetimes (UTC in the database). A local time that does not exist (the hour
skipped when summer time starts, last Sunday of March) is refused; a local time that occurs twice (the hour
repeated when winter time comes back, last Sunday of October) is read as its **later** occurrence, which
is the more generous deadline for the holders.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


class NonexistentLocalTime(ValueError):
    """The local time is skipped by the change to summer time."""


def paris_datetime(day: date, at: time) -> datetime:
    """The aware datetime of a Paris wall-clock time (seconds dropped: deadlines are minutes)."""
    at = at.replace(second=0, microsecond=0, tzinfo=None)
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=PARIS, fold=0)
    second = naive.replace(tzinfo=PARIS, fold=1)
    # A skipped time does not survive a round trip through UTC.
    if first.astimezone(UTC).astimezone(PARIS).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(
            f"L'heure {at:%H:%M} n'existe pas le {day:%d/%m/%Y} à Paris (passage à l'heure d'été) : "
            "choisissez une autre heure."
        )
    if first.utcoffset() != second.utcoffset():
        return second  # repeated hour: the later occurrence
    return first


def _utc(dt: datetime) -> datetime:
    # Arithmetic and comparisons between datetimes of the same zone are done on the wall clock by Python
    # (the `fold` of a repeated hour is ignored): instants are compared in UTC.
    return dt.astimezone(UTC)


def closing_instant(closes_at: datetime) -> datetime:
    """The first instant at which a file is late: the minute after the closing minute (in UTC)."""
    return _utc(closes_at).replace(second=0, microsecond=0) + timedelta(minutes=1)


def is_open_at(opens_at: datetime | None, closes_at: datetime | None, at: datetime) -> bool:
    """Whether a file sent at `at` is within the window [opening, closing minute included]."""
    if opens_at is None or closes_at is None:
        return False
    return _utc(opens_at) <= _utc(at) < closing_instant(closes_at)


def is_late(closes_at: datetime, at: datetime) -> bool:
    return _utc(at) >= closing_instant(closes_at)


def is_before(a: datetime, b: datetime) -> bool:
    return _utc(a) < _utc(b)


def local(dt: datetime) -> datetime:
    return dt.astimezone(PARIS)


def format_paris(dt: datetime | None) -> str:
    """« 22/05/2023 à 23h59 » (Paris time)."""
    if dt is None:
        return "—"
    d = local(dt)
    return f"{d:%d/%m/%Y} à {d:%H}h{d:%M}"


def shift_one_year(dt: datetime) -> datetime:
    """The same Paris wall-clock time one year later (29 February becomes 28 February)."""
    d = local(dt)
    try:
        day = d.date().replace(year=d.year + 1)
    except ValueError:
        day = date(d.year + 1, 2, 28)
    try:
        return paris_datetime(day, d.time())
    except NonexistentLocalTime:
        return paris_datetime(day, (datetime.combine(day, d.time()) + timedelta(hours=1)).time())
