"""Orientation indicators: sent, what became of them, time to answer and time to start.

Reading of indicators.md: the orientations counted are those *sent in the period* (date of sending, Europe/Paris);
what became of them is read on the orientation as it stands today, whatever the date of the answer: accepted
= answered and not refused (so an orientation later started or completed stays accepted), refused, expired,
withdrawn, completed = its present state; started = it has a start date. The partner structure is the
*receiving* structure (the one that answers and delivers the service). Delays are the elapsed time in days
(to one decimal) from sending to the answer (accepted or refused) or to the start; median = middle value (mean
of the two middle values when their number is even), 90th percentile = nearest rank (the value of rank
⌈0.9 × n⌉ in increasing order). Only the durations leave the database, never the orientation or the person.
"""

import math
from collections import defaultdict
from typing import Any, cast

from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Value

from citemploi.orientations.enums import RefusalReason, Status
from citemploi.orientations.models import Orientation
from citemploi.reporting.indicators.base import (
    ALL,
    Cut,
    Indicator,
    Number,
    Query,
    Ratios,
    Unit,
    age_band_expression,
    grouped,
    register,
    structure_expression,
    text,
)
from citemploi.reporting.indicators.timestamps import ElapsedMicroseconds, LocalDate, local_day_bounds

SECTION = "Orientations"

ORIENTATION_CUTS = frozenset({Cut.CITE, Cut.QPV, Cut.GENDER, Cut.AGE_BAND, Cut.STRUCTURE})

OUTCOMES = [
    ("sent", "Envoyées"),
    ("accepted", "Acceptées"),
    ("refused", "Refusées"),
    ("expired", "Expirées"),
    ("withdrawn", "Retirées"),
    ("started", "Commencées"),
    ("completed", "Terminées"),
]

OUTCOME_FILTERS = {
    "sent": Q(),
    "accepted": Q(answered_at__isnull=False) & ~Q(status=Status.REFUSED),
    "refused": Q(status=Status.REFUSED),
    "expired": Q(status=Status.EXPIRED),
    "withdrawn": Q(status=Status.WITHDRAWN),
    "started": Q(started_at__isnull=False),
    "completed": Q(status=Status.COMPLETED),
}

DELAYS = [
    ("answer_median", "Délai de réponse — médiane"),
    ("answer_p90", "Délai de réponse — 90e centile"),
    ("start_median", "Délai de démarrage — médiane"),
    ("start_p90", "Délai de démarrage — 90e centile"),
]


def _cut(cut: Cut) -> object:
    """The person's attributes (age on the day of sending), the receiving structure."""
    if cut == Cut.NONE:
        return None
    return {
        Cut.CITE: text("cite_id"),
        Cut.QPV: text("beneficiary__qpv_id"),
        Cut.GENDER: text("beneficiary__gender"),
        Cut.AGE_BAND: age_band_expression("beneficiary__birth_date", "sent_on"),  # see sent_in_period
        Cut.STRUCTURE: structure_expression("receiving_structure"),
    }[cut]


def sent_in_period(q: Query) -> QuerySet[Orientation]:
    start, end = local_day_bounds(q.period)
    # sent_on (the local date of sending) is only computed where a cut needs it (the age on that day), by
    # the database for the instants of the period (no Python function called for each row on SQLite)
    qs = Orientation.objects.annotate(sent_on=LocalDate("sent_at", start, end)).filter(
        cite_id__in=q.cite_ids, sent_at__gte=start, sent_at__lt=end
    )
    if q.qpv_id:
        qs = qs.filter(beneficiary__qpv_id=q.qpv_id)
    if q.structure_id:
        qs = qs.filter(receiving_structure_id=q.structure_id)
    return qs


def counts(q: Query) -> dict[tuple[str, str], Number]:
    """One GROUP BY over the orientations sent, one conditional count per outcome."""
    cut = _cut(q.cut)
    rows = (
        sent_in_period(q)
        .order_by()
        .annotate(_col=cut if cut is not None else Value(ALL))  # type: ignore[arg-type]
        .values("_col")
        # sent_at is never empty: counting it counts the orientations, and lets PostgreSQL read them all from
        # the (cite, sent_at, status, answered_at, started_at) index alone (the id is not in it)
        .annotate(**{key: Count("sent_at", filter=cond) for key, cond in OUTCOME_FILTERS.items()})
    )
    out: dict[tuple[str, str], Number] = {}
    for values in rows:
        row = cast(dict[str, Any], values)
        col = str(row["_col"]) if row["_col"] is not None else ""
        for key in OUTCOME_FILTERS:
            if row[key]:
                out[(key, col)] = out.get((key, col), 0) + row[key]
    return out


def _reasons() -> list[tuple[str, str]]:
    return [(r.value, str(r.label)) for r in RefusalReason]


def refused_by_reason(q: Query) -> dict[tuple[str, str], Number]:
    qs = sent_in_period(q).filter(status=Status.REFUSED)
    return grouped(qs, "refusal_reason", _cut(q.cut), Count("id"))  # type: ignore[arg-type]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def percentile_nearest_rank(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered) / 100)) - 1]


def _days(us: int) -> float:
    """Elapsed days of a duration in microseconds: the same float as
    `max(timedelta(microseconds=us).total_seconds(), 0) / 86400`."""
    return max(us / 10**6, 0) / 86400


def _fetch(rows: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a `values_list()` straight from the database cursor, without Django's conversion of each
    value: here whole numbers of microseconds (integers on both databases, as ElapsedMicroseconds computes
    them) and column keys (text, or NULL), which need none. Tens of thousands of rows: the conversion cost
    more than the query."""
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _durations(qs: QuerySet[Orientation], until: str, cut: object) -> dict[str, list[int]]:
    """Microseconds from sending to `until` (exact, computed by the database), per column, in increasing
    order: the order of the days, since `_days` never decreases."""
    measured = qs.filter(**{f"{until}__isnull": False}).order_by()
    elapsed = ElapsedMicroseconds(F(until), F("sent_at"))
    micros: dict[str, list[int]] = defaultdict(list)
    if cut is None:
        # a single column: only the integers leave the database
        values = [us for (us,) in _fetch(measured.annotate(_us=elapsed).values_list("_us"))]
        if values:
            micros[ALL] = values
    else:
        rows = measured.annotate(_col=cut, _us=elapsed).values_list("_col", "_us")  # type: ignore[misc]
        for col, us in _fetch(rows):
            micros[str(col) if col is not None else ""].append(us)
    for values in micros.values():
        values.sort()
    return micros


def delays(q: Query) -> Ratios:
    """Median and 90th percentile per column; each is computed over the orientations measured (answered,
    or started), its denominator. Only the two middle values and the 90th-percentile rank are turned into
    days (the mean of the two middle values is taken over their days, as the definition says)."""
    qs = sent_in_period(q)
    cut = _cut(q.cut)
    out: dict[tuple[str, str], Number] = {}
    measured: dict[tuple[str, str], int] = {}
    for prefix, until in (("answer", "answered_at"), ("start", "started_at")):
        for col, ordered in _durations(qs, until, cut).items():
            n = len(ordered)
            middle = n // 2
            mid = (
                _days(ordered[middle]) if n % 2 else (_days(ordered[middle - 1]) + _days(ordered[middle])) / 2
            )
            out[(f"{prefix}_median", col)] = round(mid, 1)
            out[(f"{prefix}_p90", col)] = round(_days(ordered[max(1, math.ceil(90 * n / 100)) - 1]), 1)
            measured[(f"{prefix}_median", col)] = measured[(f"{prefix}_p90", col)] = n
    return Ratios(out, denominators=measured)


register(
    Indicator(
        code="orientations.outcomes",
        name="Orientations envoyées et leurs suites",
        definition=(
            "Orientations envoyées dans la période (date d'envoi) et, parmi elles, celles acceptées (réponse "
            "donnée et non refusée, même commencées ou terminées depuis), refusées, expirées sans réponse, "
            "retirées, commencées (date de démarrage renseignée) et terminées, selon leur état au jour du "
            "calcul. La structure est la structure destinataire ; l'âge est celui au jour de l'envoi. Les "
            "lignes ne s'additionnent pas : chaque suite est une partie des envoyées."
        ),
        unit=Unit.COUNT,
        categories=lambda: OUTCOMES,
        compute=counts,
        cuts=ORIENTATION_CUTS,
        section=SECTION,
        additive=False,
        personal=True,
    )
)

register(
    Indicator(
        code="orientations.refusal_reasons",
        name="Orientations refusées, par motif",
        definition=(
            "Orientations envoyées dans la période et refusées par la structure destinataire, par motif de "
            "refus."
        ),
        unit=Unit.COUNT,
        categories=_reasons,
        compute=refused_by_reason,
        cuts=ORIENTATION_CUTS,
        section=SECTION,
        personal=True,
    )
)

register(
    Indicator(
        code="orientations.delays",
        name="Délais de réponse et de démarrage des orientations",
        definition=(
            "Pour les orientations envoyées dans la période : délai de réponse, de l'envoi à l'acceptation "
            "ou au refus, et délai de démarrage, de l'envoi au démarrage, en jours écoulés (à une décimale). "
            "Médiane : valeur du milieu (moyenne des deux valeurs du milieu pour un nombre pair) ; 90e "
            "centile : méthode du rang le plus proche (valeur de rang ⌈0,9 × n⌉ dans l'ordre croissant). "
            "Les orientations sans réponse ou non commencées n'entrent pas dans le délai correspondant."
        ),
        unit=Unit.DAYS,
        categories=lambda: DELAYS,
        compute=delays,
        cuts=ORIENTATION_CUTS,
        section=SECTION,
        additive=False,
        denominator="orientations mesurées (avec réponse, ou commencées)",
    )
)
