"""Barrier indicators (freins): identified, open, lifted by field, lift rate.

Reading of indicators.md: a record is *open at some time in the period* when it was identified on or before
the end and was not lifted at the start (its last change of state before the start is not « lifted »);
*lifted* counts the open records whose state became « lifted » in the period; lift rate = lifted / open.
"""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from citemploi.offer.referentials import BARRIERS
from citemploi.pathways.enums import BarrierState
from citemploi.pathways.models import BarrierRecord, BarrierTransition
from citemploi.reporting.indicators.base import (
    ALL,
    UNKNOWN,
    Cut,
    Indicator,
    Number,
    Query,
    Ratios,
    Unit,
    age_band_expression,
    column_key,
    grouped,
    register,
    structure_expression,
    text,
)
from citemploi.reporting.indicators.people import PERSON_CUTS
from citemploi.reporting.indicators.timestamps import local_day_bounds

SECTION = "Freins"


def _fields() -> list[tuple[str, str]]:
    return [(b.code, f"{b.number}. {b.label}") for b in BARRIERS]


def _cut(cut: Cut) -> object:
    """The person's attributes; the age on the day the barrier was identified."""
    if cut == Cut.NONE:
        return None
    return {
        Cut.CITE: text("cite_id"),
        Cut.QPV: text("beneficiary__qpv_id"),
        Cut.GENDER: text("beneficiary__gender"),
        Cut.AGE_BAND: age_band_expression("beneficiary__birth_date", "identified_on"),
        Cut.STRUCTURE: structure_expression("beneficiary__responsible_structure"),
    }[cut]


def _records(q: Query) -> QuerySet[BarrierRecord]:
    qs = BarrierRecord.objects.filter(cite_id__in=q.cite_ids, identified_on__lte=q.period.end)
    if q.qpv_id:
        qs = qs.filter(beneficiary__qpv_id=q.qpv_id)
    if q.structure_id:
        qs = qs.filter(beneficiary__responsible_structure_id=q.structure_id)
    return qs


def _open_records(q: Query) -> QuerySet[BarrierRecord]:
    start, _ = local_day_bounds(q.period)
    # the last transition before the first day (Europe/Paris): one seek in the (record, at) index, only for
    # the records identified before the start, and read once ('' when there is none)
    state_at_start = Coalesce(
        Subquery(
            BarrierTransition.objects.filter(record=OuterRef("pk"), at__lt=start)
            .order_by("-at", "-id")
            .values("to_state")[:1]
        ),
        Value(""),
    )
    return _records(q).filter(
        Q(identified_on__gte=q.period.start) | ~Q(Exact(state_at_start, Value(BarrierState.LIFTED)))
    )


def _lifted_in_period(q: Query) -> Q:
    """Records moved to « lifted » in the period: a semi-join over the period's lifted transitions (a range of
    the (to_state, at, record) index), hashed once by the database."""
    start, end = local_day_bounds(q.period)
    lifted = BarrierTransition.objects.filter(to_state=BarrierState.LIFTED, at__gte=start, at__lt=end)
    return Q(pk__in=lifted.values("record_id"))


def identified(q: Query) -> dict[tuple[str, str], Number]:
    qs = _records(q).filter(identified_on__gte=q.period.start)
    return grouped(qs, "barrier", _cut(q.cut), Count("id"))  # type: ignore[arg-type]


def open_in_period(q: Query) -> dict[tuple[str, str], Number]:
    return grouped(_open_records(q), "barrier", _cut(q.cut), Count("id"))  # type: ignore[arg-type]


def lifted(q: Query) -> dict[tuple[str, str], Number]:
    qs = _open_records(q).filter(_lifted_in_period(q))
    return grouped(qs, "barrier", _cut(q.cut), Count("id"))  # type: ignore[arg-type]


def lift_rate(q: Query) -> Ratios:
    """Lifted over open, with the open records as denominator and the lifted ones as numerator: one GROUP BY
    over the open records, the lifted ones counted with a filter (the semi-join is hashed once)."""
    cut = _cut(q.cut)
    rows = (
        _open_records(q)
        .order_by()
        .annotate(_col=cut if cut is not None else Value(ALL))  # type: ignore[arg-type]
        .values("barrier", "_col")
        .annotate(open=Count("id"), lifted=Count("id", filter=_lifted_in_period(q)))
    )
    counts: dict[tuple[str, str], int] = {}
    lifted_counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (str(row["barrier"]) if row["barrier"] is not None else UNKNOWN, column_key(row["_col"]))
        counts[key] = counts.get(key, 0) + row["open"]
        if row["lifted"]:
            lifted_counts[key] = lifted_counts.get(key, 0) + row["lifted"]
    return Ratios(
        {key: round(float(lifted_counts.get(key, 0)) * 100 / float(n), 1) for key, n in counts.items() if n},
        denominators=counts,
        numerators=lifted_counts,
    )


BARRIER_CUTS = PERSON_CUTS

register(
    Indicator(
        code="barriers.identified",
        name="Freins identifiés",
        definition=(
            "Freins enregistrés dont la date d'identification tombe dans la période, par champ (les onze "
            "freins du vadémécum et des appels à projets). Une personne peut avoir plusieurs freins."
        ),
        unit=Unit.COUNT,
        categories=_fields,
        compute=identified,
        cuts=BARRIER_CUTS,
        section=SECTION,
        personal=True,
    )
)

register(
    Indicator(
        code="barriers.open",
        name="Freins ouverts dans la période",
        definition=(
            "Freins identifiés au plus tard à la fin de la période et qui n'étaient pas levés à son début "
            "(ouverts au moins un jour de la période), par champ."
        ),
        unit=Unit.COUNT,
        categories=_fields,
        compute=open_in_period,
        cuts=BARRIER_CUTS,
        section=SECTION,
        personal=True,
    )
)

register(
    Indicator(
        code="barriers.lifted",
        name="Freins levés",
        definition="Parmi les freins ouverts dans la période, ceux passés à l'état « levé » dans la période.",
        unit=Unit.COUNT,
        categories=_fields,
        compute=lifted,
        cuts=BARRIER_CUTS,
        section=SECTION,
        personal=True,
    )
)

register(
    Indicator(
        code="barriers.lift_rate",
        name="Taux de levée des freins",
        definition="Freins levés dans la période divisés par les freins ouverts dans la période, par champ.",
        unit=Unit.PERCENT,
        categories=_fields,
        compute=lift_rate,
        cuts=BARRIER_CUTS,
        section=SECTION,
        additive=False,
        denominator="freins ouverts dans la période",
    )
)
