"""Indicators of the directory of services (cartographie des dispositifs), a snapshot at the end of the period."""

from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from citemploi.offer.enums import InsertionStep
from citemploi.offer.models import Service, stale_cutoff
from citemploi.offer.queries import barrier_condition
from citemploi.offer.referentials import BARRIERS
from citemploi.partners.models import Partnership
from citemploi.reporting.indicators.base import (
    ALL,
    Cut,
    Indicator,
    Number,
    Query,
    Unit,
    grouped,
    register,
    text,
)
from citemploi.reporting.indicators.timestamps import local_day_bounds

SECTION = "Offre de services"


def _services(q: Query) -> QuerySet[Service]:
    """Services of the cités' partner structures that exist and are open at the end of the period."""
    end = q.period.end
    # created on or before the last day (Europe/Paris): before the instant the day after it begins
    _, day_after = local_day_bounds(q.period)
    qs = Service.objects.filter(
        Exists(Partnership.objects.filter(structure=OuterRef("structure"), cite_id__in=q.cite_ids)),
        created_at__lt=day_after,
    ).filter(
        (Q(opens_on__isnull=True) | Q(opens_on__lte=end))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=end))
    )
    if q.structure_id:
        qs = qs.filter(structure_id=q.structure_id)
    return qs


def _cut(cut: Cut) -> object:
    return {Cut.NONE: None, Cut.STRUCTURE: text("structure_id")}[cut]


def by_step(q: Query) -> dict[tuple[str, str], Number]:
    return grouped(_services(q), "step", _cut(q.cut), Count("id"))  # type: ignore[arg-type]


def stale(q: Query) -> dict[tuple[str, str], Number]:
    cutoff: date = stale_cutoff(q.period.end)
    return grouped(_services(q).filter(last_updated_on__lt=cutoff), "step", _cut(q.cut), Count("id"))  # type: ignore[arg-type]


def by_barrier(q: Query) -> dict[tuple[str, str], Number]:
    from django.db.models import Value

    qs = _services(q).order_by().annotate(_col=_cut(q.cut) or Value(ALL)).values("_col")  # type: ignore[call-overload]
    rows = qs.annotate(**{b.code: Count("id", filter=Q(barrier_condition(b))) for b in BARRIERS})
    out: dict[tuple[str, str], Number] = {}
    row: dict[str, Any]
    for row in rows:  # type: ignore[assignment]
        for b in BARRIERS:
            if row[b.code]:
                out[(b.code, str(row["_col"]))] = out.get((b.code, str(row["_col"])), 0) + row[b.code]
    return out


def _steps() -> list[tuple[str, str]]:
    return [(s.value, str(s.label)) for s in InsertionStep] + [("", "Étape non renseignée")]


OFFER_CUTS = frozenset({Cut.STRUCTURE})

register(
    Indicator(
        code="offer.services_by_step",
        name="Services de l'annuaire par étape",
        definition=(
            "Services des structures partenaires de la cité ouverts à la fin de la période (créés avant, "
            "ouverts et non expirés), par étape du parcours d'insertion."
        ),
        unit=Unit.COUNT,
        categories=_steps,
        compute=by_step,
        cuts=OFFER_CUTS,
        section=SECTION,
    )
)

register(
    Indicator(
        code="offer.services_by_barrier",
        name="Services de l'annuaire par frein levé",
        definition=(
            "Parmi ces services, ceux dont une thématique lève le frein. Un service peut lever plusieurs "
            "freins : les lignes ne s'additionnent pas."
        ),
        unit=Unit.COUNT,
        categories=lambda: [(b.code, f"{b.number}. {b.label}") for b in BARRIERS],
        compute=by_barrier,
        cuts=OFFER_CUTS,
        section=SECTION,
        additive=False,
    )
)

register(
    Indicator(
        code="offer.services_stale",
        name="Services à actualiser",
        definition=(
            "Parmi ces services, ceux dont la dernière mise à jour date de plus de six mois à la fin de la "
            "période, par étape du parcours."
        ),
        unit=Unit.COUNT,
        categories=_steps,
        compute=stale,
        cuts=OFFER_CUTS,
        section=SECTION,
    )
)
