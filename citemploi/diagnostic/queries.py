"""Reads of the shared diagnostic: the QPV in reach, their reference indicators and the offer-vs-need matrix.

The matrix of a QPV, one row per barrier (the 11 of the common vocabulary):
- demand: people living in the QPV with that barrier open in their diagnostic (identified, action engaged or
  persisting), counted once per barrier;
- supply: services of the directory (published, open, not expired) lifting that barrier whose area covers the
  QPV's communes, by step of the insertion chain;
- empty searches: searches of the public directory for that barrier in the QPV or one of its communes that
  found nothing, over the last 12 months;
- uncovered need: demand with no service at all, or more than UNCOVERED_RATIO people per service.
Coordinators read exact counts; steering members and the national animator read the demand through statistical
secrecy (citemploi.secrecy), and the flag only where the demand is shown or secret with no service.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from citemploi.core.access import not_found, require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Role, Scope
from citemploi.diagnostic.models import QPVReference
from citemploi.offer.enums import InsertionStep
from citemploi.offer.models import EmptySearch
from citemploi.offer.queries import barrier_condition, directory_services, place_condition, resolve_place
from citemploi.offer.referentials import BARRIERS, Barrier
from citemploi.pathways.enums import OPEN_BARRIER_STATES
from citemploi.pathways.models import BarrierRecord
from citemploi.secrecy import protect_table
from citemploi.territory.models import QPV

QPV_CODE = re.compile(r"^[A-Za-z0-9]{1,12}$")
#: more than this many people per service of the area: the need is flagged as uncovered
UNCOVERED_RATIO = 10
EMPTY_SEARCH_DAYS = 365
NO_STEP = ""
STEPS: list[tuple[str, str]] = [*InsertionStep.choices, (NO_STEP, "Étape non précisée")]
#: roles that read the demand through statistical secrecy, and the audience whose threshold applies
PROTECTED_AUDIENCE = {Role.STEERING: "steering", Role.NATIONAL: "national"}


@dataclass(frozen=True)
class MatrixRow:
    barrier: Barrier
    #: None: secret (statistical secrecy)
    demand: int | None
    supply_by_step: tuple[int, ...]
    empty_searches: int
    uncovered: bool

    @property
    def supply(self) -> int:
        return sum(self.supply_by_step)

    @property
    def label(self) -> str:
        return f"{self.barrier.number}. {self.barrier.label}"


@dataclass(frozen=True)
class Matrix:
    qpv: QPV
    rows: tuple[MatrixRow, ...]
    steps: tuple[tuple[str, str], ...]
    protected: bool
    threshold: int | None
    demand_total: int | None
    since: date

    @property
    def uncovered(self) -> list[MatrixRow]:
        return [r for r in self.rows if r.uncovered]


def qpvs_for(ctx: ActingContext, action: str = "diagnostic.view") -> QuerySet[QPV]:
    """The QPV of the acting cité (every QPV of a cité for the national animator)."""
    scope = require(ctx, action)
    if scope == Scope.ALL:
        return QPV.objects.filter(cites__isnull=False).distinct().order_by("name", "code")
    if scope == Scope.CITE and ctx.cite_id is not None:
        return QPV.objects.filter(cites=ctx.cite_id).order_by("name", "code")
    return QPV.objects.none()


def access_qpv(ctx: ActingContext, code: str, action: str = "diagnostic.view") -> QPV:
    if not QPV_CODE.match(code):
        raise not_found()
    qpv = qpvs_for(ctx, action).filter(code=code).first()
    if qpv is None:
        raise not_found()
    return qpv


def references_of(qpv: QPV) -> list[QPVReference]:
    return list(QPVReference.objects.filter(qpv=qpv).order_by("-year"))


def is_uncovered(demand: int, supply: int) -> bool:
    return demand > 0 and (supply == 0 or demand > UNCOVERED_RATIO * supply)


def _demand(ctx: ActingContext, qpv: QPV) -> dict[str, int]:
    records = BarrierRecord.objects.filter(beneficiary__qpv=qpv, state__in=OPEN_BARRIER_STATES)
    if ctx.scope("diagnostic.view") != Scope.ALL:
        records = records.filter(cite_id=ctx.cite_id)
    return dict(
        records.values_list("barrier")
        .annotate(n=Count("beneficiary", distinct=True))
        .values_list("barrier", "n")
    )


def _supply(qpv: QPV, today: date) -> dict[str, dict[str, int]]:
    """barrier code → step → number of services (one query after the place's two)."""
    place = resolve_place(None, qpv)
    rows = (
        directory_services(today)
        .filter(place_condition(place))
        .values("step")
        .annotate(**{f"b{b.number}": Count("pk", filter=Q(barrier_condition(b))) for b in BARRIERS})
        .order_by("step")
    )
    supply: dict[str, dict[str, int]] = {b.code: {} for b in BARRIERS}
    for row in rows:
        counts: dict[str, Any] = dict(row)
        step = counts["step"] or NO_STEP
        for b in BARRIERS:
            supply[b.code][step] = supply[b.code].get(step, 0) + counts[f"b{b.number}"]
    return supply


def _empty_searches(qpv: QPV, since: date) -> dict[str, int]:
    communes = list(qpv.communes.values_list("insee_code", flat=True))
    return dict(
        EmptySearch.objects.filter(
            Q(qpv_code=qpv.code) | Q(commune_code__in=communes), searched_on__gte=since
        )
        .exclude(barrier="")
        .values_list("barrier")
        .annotate(total=Sum("count"))
        .values_list("barrier", "total")
    )


def matrix(ctx: ActingContext, qpv: QPV, today: date) -> Matrix:
    """The offer-vs-need matrix of a QPV for the acting context (exact for coordinators, protected for
    steering and national)."""
    require(ctx, "diagnostic.view")
    demand = _demand(ctx, qpv)
    supply = _supply(qpv, today)
    since = today - timedelta(days=EMPTY_SEARCH_DAYS)
    searches = _empty_searches(qpv, since)
    audience = PROTECTED_AUDIENCE.get(Role(ctx.role)) if ctx.role else None
    shown: dict[str, int | None] = {b.code: demand.get(b.code, 0) for b in BARRIERS}
    total: int | None = sum(demand.values())
    threshold = None
    if audience is not None:
        cite_id = ctx.cite_id
        if cite_id is None:
            cite_id = qpv.cites.order_by("pk").values_list("pk", flat=True).first()
        table = protect_table(
            {(b.code,): demand.get(b.code, 0) for b in BARRIERS},
            ("frein",),
            audience=audience,
            indicator="diagnostic.demande_par_frein",
            cite_id=cite_id,
            categories=[[b.code for b in BARRIERS]],
        )
        shown = {b.code: table.value((b.code,)) for b in BARRIERS}
        total = table.total
        threshold = table.threshold
    rows = []
    for b in BARRIERS:
        by_step = tuple(supply[b.code].get(step, 0) for step, _ in STEPS)
        value = shown[b.code]
        offered = sum(by_step)
        if value is None:
            # Secret: only what the secret already says (at least one person) may drive the flag.
            uncovered = offered == 0
        else:
            uncovered = is_uncovered(value, offered)
        rows.append(
            MatrixRow(
                barrier=b,
                demand=value,
                supply_by_step=by_step,
                empty_searches=searches.get(b.code, 0),
                uncovered=uncovered,
            )
        )
    return Matrix(
        qpv=qpv,
        rows=tuple(rows),
        steps=tuple(STEPS),
        protected=audience is not None,
        threshold=threshold,
        demand_total=total,
        since=since,
    )
