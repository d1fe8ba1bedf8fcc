"""API of the reporting domain: the indicators of a cité for a period, and the national quarterly
questionnaire (read, open, adjust a value, validate).

Coordinators get their cité's exact figures; steering members get them through statistical secrecy (a hidden
value is `null`); the national animator gets aggregates across cités, protected. No person is ever returned.
"""

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import P, PathEx, Query, Schema, Status
from pydantic import Field

from citemploi.api.base import PolicyRouter, acting
from citemploi.api.errors import BadInput
from citemploi.api.schemas import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    ConflictOut,
    InputSchema,
    Text,
)
from citemploi.core.access import not_found
from citemploi.core.policy import Role, Scope
from citemploi.reporting import dashboard, queries, services
from citemploi.reporting.indicators import REGISTRY, Cut, Period, PeriodError
from citemploi.reporting.indicators import Query as IndicatorQuery
from citemploi.reporting.models import QuarterlyReport
from citemploi.reporting.protection import NATIONAL, STEERING
from citemploi.reporting.questionnaire import national_aggregates
from citemploi.territory.models import Cite

router = PolicyRouter(tags=["Indicateurs et tableaux de bord"])

ReportId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant du questionnaire.", example=1)]
MAX_DAYS = 366 * 5


class IndicatorFilters(Schema):
    start: date = Field(description="Début de la période (inclus, AAAA-MM-JJ).", examples=["2026-01-01"])
    end: date = Field(description="Fin de la période (incluse, AAAA-MM-JJ).", examples=["2026-03-31"])
    cut: Cut = Field(
        Cut.NONE, description="Ventilation : none, cite, qpv, gender, age_band, structure, action."
    )


class ColumnOut(Schema):
    key: str
    label: str


class RowOut(Schema):
    key: str
    label: str
    values: dict[str, float | None] = Field(description="Valeur par colonne ; null = secret statistique.")
    total: float | None = Field(None, description="Total de la ligne (indicateurs additifs) ; null = secret.")


class IndicatorOut(Schema):
    code: str
    name: str
    definition: str
    unit: str = Field(description="people, count, percent, days, euros ou hours.")
    additive: bool = Field(description="Les lignes et les colonnes s'additionnent.")
    cut: str = Field(description="Ventilation appliquée (none si l'indicateur ne se ventile pas ainsi).")
    columns: list[ColumnOut]
    rows: list[RowOut]
    total: float | None = None


class IndicatorsOut(Schema):
    cite: str | None = Field(description="Identifiant de la cité ; null pour l'agrégat national.")
    start: date
    end: date
    protected: bool = Field(description="Les effectifs de personnes passent par le secret statistique.")
    indicators: list[IndicatorOut]


def _plain(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


@router.get(
    "/reporting/indicators",
    response={200: IndicatorsOut, **LIST_ERRORS},
    operation_id="reporting_indicators",
    summary="Les indicateurs de la cité pour une période",
    description=(
        "Chiffres exacts pour la coordination ; protégés par le secret statistique pour le comité de pilotage ; "
        "agrégat de toutes les cités, protégé, pour l'animation nationale."
    ),
    openapi_extra={"x-citemploi-action": "indicator.view"},
)
def indicators(request: HttpRequest, filters: Query[IndicatorFilters]) -> dict:
    ctx = acting(request)
    if not (date(2000, 1, 1) <= filters.start <= date(2100, 12, 31)) or not (
        date(2000, 1, 1) <= filters.end <= date(2100, 12, 31)
    ):
        raise BadInput(["query", "start"], "Les dates doivent être comprises entre 2000 et 2100.")
    try:
        period = Period(filters.start, filters.end)
    except PeriodError as exc:
        raise BadInput(["query", "end"], str(exc)) from None
    if (filters.end - filters.start).days > MAX_DAYS:
        raise BadInput(["query", "end"], "La période ne peut pas dépasser cinq ans.")
    national = ctx.scope("indicator.view") == Scope.ALL
    if national:
        cite_ids = tuple(Cite.objects.order_by("pk").values_list("pk", flat=True))
        audience: str | None = NATIONAL
        cite_id = None
    else:
        if filters.cut == Cut.CITE:
            raise BadInput(["query", "cut"], "La ventilation par cité est réservée à l'animation nationale.")
        cite_ids = (ctx.cite_id,)  # type: ignore[assignment]
        audience = None if ctx.role == Role.COORDINATOR else STEERING
        cite_id = ctx.cite_id
    sections = dashboard.build(
        IndicatorQuery(cite_ids, period, filters.cut), audience=audience, cite_id=cite_id
    )
    out = []
    for section in sections:
        for block in section.blocks:
            shown, table = block.shown, block.shown.table
            indicator = table.indicator
            out.append(
                {
                    "code": indicator.code,
                    "name": indicator.name,
                    "definition": indicator.definition,
                    "unit": indicator.unit.value,
                    "additive": indicator.additive,
                    "cut": table.query.cut.value,
                    "columns": [{"key": k, "label": label} for k, label in table.columns],
                    "rows": [
                        {
                            "key": row["key"],
                            "label": row["label"],
                            "values": {
                                col: _plain(v)
                                for (col, _), v in zip(table.columns, row["cells"], strict=True)
                            },
                            "total": _plain(row["total"]) if indicator.additive else None,
                        }
                        for row in shown.rows
                    ],
                    "total": _plain(shown.total) if indicator.additive else None,
                }
            )
    return {
        "cite": None if national else ctx.cite.slug,  # type: ignore[union-attr]
        "start": period.start,
        "end": period.end,
        "protected": audience is not None,
        "indicators": out,
    }


class DefinitionOut(Schema):
    code: str
    name: str
    definition: str
    unit: str
    cuts: list[str]


@router.get(
    "/reporting/definitions",
    response={200: list[DefinitionOut], **LIST_ERRORS},
    operation_id="reporting_definitions",
    summary="Les définitions des indicateurs",
    openapi_extra={"x-citemploi-action": "indicator.view"},
)
def definitions(request: HttpRequest) -> list[dict]:
    return [
        {
            "code": i.code,
            "name": i.name,
            "definition": i.definition,
            "unit": i.unit.value,
            "cuts": sorted(c.value for c in i.cuts),
        }
        for i in REGISTRY.values()
    ]


# --- Questionnaire -------------------------------------------------------------------------------------------


class ItemOut(Schema):
    key: str
    indicator: str
    label: str
    unit: str
    computed: float
    value: float
    comment: str


class QuarterlyReportOut(Schema):
    id: int
    cite: str
    year: int
    quarter: int
    state: str = Field(description="draft (brouillon) ou validated (validé).")
    version: int
    validated_at: str | None
    validated_by: str | None
    items: list[ItemOut]


class ReportSummaryOut(Schema):
    id: int
    year: int
    quarter: int
    state: str
    validated_at: str | None


class AggregateRowOut(Schema):
    key: str
    indicator: str
    label: str
    value: float | None = Field(description="Somme des cités ; null = secret statistique.")


class AggregateOut(Schema):
    year: int
    quarter: int
    cites: int
    rows: list[AggregateRowOut]


class ReportListOut(Schema):
    reports: list[ReportSummaryOut] = Field(
        description="Les questionnaires de la cité (coordination, pilotage)."
    )
    aggregates: list[AggregateOut] = Field(
        description="Les questionnaires validés, agrégés (animation nationale)."
    )


def _report_out(report: QuarterlyReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "cite": report.cite.slug,
        "year": report.year,
        "quarter": report.quarter,
        "state": report.state,
        "version": report.version,
        "validated_at": report.validated_at.isoformat() if report.validated_at else None,
        "validated_by": report.validated_by_label or None,
        "items": [
            {"key": k, **{f: v[f] for f in ItemOut.model_fields if f != "key"}}
            for k, v in report.values.items()
        ],
    }


@router.get(
    "/reporting/questionnaires",
    response={200: ReportListOut, **LIST_ERRORS},
    operation_id="reporting_questionnaires",
    summary="Les questionnaires trimestriels",
    openapi_extra={"x-citemploi-action": "questionnaire.view"},
)
def list_reports(request: HttpRequest) -> dict:
    ctx = acting(request)
    reports = queries.reports_for(ctx)
    if ctx.scope("questionnaire.view") == Scope.ALL:
        return {"reports": [], "aggregates": national_aggregates(reports)}
    return {
        "reports": [
            {
                "id": r.pk,
                "year": r.year,
                "quarter": r.quarter,
                "state": r.state,
                "validated_at": r.validated_at.isoformat() if r.validated_at else None,
            }
            for r in reports.order_by("-year", "-quarter")
        ],
        "aggregates": [],
    }


def _readable(request: HttpRequest, report_id: int, action: str = "questionnaire.view") -> QuarterlyReport:
    ctx = acting(request)
    if ctx.scope("questionnaire.view") == Scope.ALL:
        # the national animator sees questionnaires in aggregate only
        raise not_found()
    return queries.access_report_for(ctx, report_id, action)


@router.get(
    "/reporting/questionnaires/{report_id}",
    response={200: QuarterlyReportOut, **READ_ERRORS},
    operation_id="reporting_questionnaire_read",
    summary="Lire un questionnaire de la cité",
    openapi_extra={"x-citemploi-action": "questionnaire.view"},
)
def read_report(request: HttpRequest, report_id: ReportId) -> dict:
    return _report_out(_readable(request, report_id))


class OpenIn(InputSchema):
    year: int = Field(ge=2000, le=2100, examples=[2026])
    quarter: int = Field(ge=1, le=4, examples=[1])


@router.post(
    "/reporting/questionnaires",
    response={201: QuarterlyReportOut, **WRITE_ERRORS},
    operation_id="reporting_questionnaire_open",
    summary="Ouvrir (pré-remplir) le questionnaire d'un trimestre",
    description="Renvoie le questionnaire existant s'il est déjà ouvert.",
    openapi_extra={"x-citemploi-action": "questionnaire.manage"},
)
def open_report(request: HttpRequest, payload: OpenIn) -> Status:
    report = services.open_report(ctx=acting(request), year=payload.year, quarter=payload.quarter)
    return Status(201, _report_out(report))


class AdjustIn(InputSchema):
    key: Annotated[Text, Field(min_length=1, max_length=200, description="Clé de la ligne (voir items).")]
    value: float = Field(ge=0, lt=1_000_000_000)
    comment: Annotated[
        Text, Field(min_length=1, max_length=1000, description="Pourquoi la valeur est corrigée.")
    ]
    version: int = Field(ge=1, le=MAX_ID, description="Version lue (modification concurrente refusée).")


class VersionIn(InputSchema):
    version: int = Field(ge=1, le=MAX_ID, description="Version lue (modification concurrente refusée).")


@router.post(
    "/reporting/questionnaires/{report_id}/values",
    response={200: QuarterlyReportOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="reporting_questionnaire_adjust",
    summary="Corriger une valeur (avec un commentaire)",
    openapi_extra={"x-citemploi-action": "questionnaire.manage"},
)
def adjust(request: HttpRequest, report_id: ReportId, payload: AdjustIn) -> dict:
    report = _readable(request, report_id, "questionnaire.manage")
    report = services.adjust_value(
        ctx=acting(request),
        report=report,
        key=payload.key,
        value=payload.value,
        comment=payload.comment,
        version=payload.version,
    )
    return _report_out(report)


@router.post(
    "/reporting/questionnaires/{report_id}/validate",
    response={200: QuarterlyReportOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="reporting_questionnaire_validate",
    summary="Valider le questionnaire",
    openapi_extra={"x-citemploi-action": "questionnaire.manage"},
)
def validate(request: HttpRequest, report_id: ReportId, payload: VersionIn) -> dict:
    report = _readable(request, report_id, "questionnaire.manage")
    return _report_out(services.validate_report(ctx=acting(request), report=report, version=payload.version))
