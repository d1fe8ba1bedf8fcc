"""API of the diagnostic domain: the reference indicators of a QPV and its offer-vs-need matrix. The matrix is
aggregate; steering members and the national animator read its demand through statistical secrecy (null for a
secret count)."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import P, PathEx, Schema

from citemploi.api.base import PolicyRouter, acting
from citemploi.api.schemas import READ_ERRORS
from citemploi.diagnostic import queries

router = PolicyRouter(tags=["Diagnostic partagé"])

QPVCode = PathEx[str, P(pattern=r"^[A-Za-z0-9]{1,12}$", description="Code du QPV.", example="QN08003M")]


class ReferenceOut(Schema):
    year: int
    source: str
    population: int | None
    job_seekers: int | None
    rsa_recipients: int | None
    share_15_24: Decimal | None
    share_over_50: Decimal | None
    share_no_diploma: Decimal | None
    unemployment_rate: Decimal | None
    poverty_rate: Decimal | None


class StepCountOut(Schema):
    step: str
    label: str
    services: int


class MatrixRowOut(Schema):
    barrier: str
    number: int
    label: str
    demand: int | None
    supply: int
    supply_by_step: list[StepCountOut]
    empty_searches: int
    uncovered: bool


class MatrixOut(Schema):
    qpv_code: str
    qpv_name: str
    protected: bool
    threshold: int | None
    demand_total: int | None
    empty_searches_since: date
    uncovered_ratio: int
    rows: list[MatrixRowOut]
    references: list[ReferenceOut]


@router.get(
    "/diagnostic/{code}",
    response={200: MatrixOut, **READ_ERRORS},
    operation_id="diagnostic_read",
    summary="Lire le diagnostic partagé d'un QPV",
    description=(
        "Les indicateurs de référence du QPV (par année) et la matrice besoins / offre : par frein, les "
        "personnes concernées (null si secret statistique), les services par étape de la chaîne d'insertion, "
        "les recherches sans résultat de l'annuaire et le besoin non couvert."
    ),
    openapi_extra={"x-citemploi-action": "diagnostic.view"},
)
def read_diagnostic(request: HttpRequest, code: QPVCode) -> dict:
    ctx = acting(request)
    qpv = queries.access_qpv(ctx, code)
    matrix = queries.matrix(ctx, qpv, timezone.localdate())
    return {
        "qpv_code": qpv.code,
        "qpv_name": qpv.name,
        "protected": matrix.protected,
        "threshold": matrix.threshold,
        "demand_total": matrix.demand_total,
        "empty_searches_since": matrix.since,
        "uncovered_ratio": queries.UNCOVERED_RATIO,
        "rows": [
            {
                "barrier": row.barrier.code,
                "number": row.barrier.number,
                "label": row.barrier.label,
                "demand": row.demand,
                "supply": row.supply,
                "supply_by_step": [
                    {"step": step, "label": label, "services": count}
                    for (step, label), count in zip(matrix.steps, row.supply_by_step, strict=True)
                ],
                "empty_searches": row.empty_searches,
                "uncovered": row.uncovered,
            }
            for row in matrix.rows
        ],
        "references": [
            {
                "year": r.year,
                "source": r.source,
                "population": r.population,
                "job_seekers": r.job_seekers,
                "rsa_recipients": r.rsa_recipients,
                "share_15_24": r.share_15_24,
                "share_over_50": r.share_over_50,
                "share_no_diploma": r.share_no_diploma,
                "unemployment_rate": r.unemployment_rate,
                "poverty_rate": r.poverty_rate,
            }
            for r in queries.references_of(qpv)
        ],
    }
