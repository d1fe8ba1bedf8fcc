"""Calls for projects: calls and their rules (with the catalogue of rule types), files with their rule
results, reviews and their agreement, committee decisions, reports.

A project holder reads only their structure's files; a reviewer only the files assigned to them once they
declared no conflict of interest; the coordination every file of the cité; steering members the decisions.
Writes go through citemploi.calls.services.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import P, PathEx, Query, Schema, Status
from pydantic import Field

from citemploi.api.base import PolicyRouter, acting
from citemploi.api.errors import VALIDATION_DETAIL, BadInput, Conflict
from citemploi.api.schemas import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    ConflictOut,
    EmptyAsNone,
    InputSchema,
    PageOut,
    PageParams,
    Text,
    page,
)
from citemploi.calls import budget_lines, queries, scoring
from citemploi.calls.eligibility.base import REGISTRY, ParamsError
from citemploi.calls.eligibility.engine import Evaluation, evaluate
from citemploi.calls.enums import (
    ApplicationStatus,
    CallStatus,
    DecisionOutcome,
    Outcome,
    ReportStatus,
    ReviewStatus,
    Severity,
)
from citemploi.calls.machines import TransitionRefused
from citemploi.calls.models import Application, Call, Decision, Report, Review
from citemploi.calls.services import applications as application_services
from citemploi.calls.services import calls as call_services
from citemploi.calls.services.common import StaleEdit
from citemploi.core.access import not_found

router = PolicyRouter(tags=["Appels à projets"])

CallId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de l'appel à projets.", example=1)]
ApplicationId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant du dossier.", example=1)]
RuleType = Annotated[Text, Field(min_length=1, max_length=50, examples=["title_prefix"])]


class RuleOut(Schema):
    id: int
    rule_type: str = Field(description="Code du type de règle (voir `/rule-types`).")
    label: str
    summary: str = Field(description="Ce que vérifie cette règle, en une phrase.")
    params: dict[str, Any]
    severity: Severity
    message: str


class CriterionOut(Schema):
    id: int
    label: str
    description: str
    weight: Decimal
    max_score: int
    descriptors: list[str]
    is_bonus: bool


class RequiredDocumentOut(Schema):
    code: str
    label: str
    mandatory: bool


class CallOut(Schema):
    id: int
    cite: str
    year: int
    title: str
    summary: str
    status: CallStatus
    themes: list[str]
    envelope: Decimal
    opens_at: datetime | None
    closes_at: datetime | None = Field(description="Minute de clôture comprise (heure de Paris).")
    funder_label: str


class CallDetailOut(CallOut):
    rules_text: str
    rules: list[RuleOut]
    criteria: list[CriterionOut]
    required_documents: list[RequiredDocumentOut]


class CallPage(PageOut):
    results: list[CallOut]


class CallFilters(PageParams):
    year: Annotated[int | None, EmptyAsNone] = Field(None, ge=2000, le=2100, description="Année de l'appel.")
    status: Annotated[CallStatus | None, EmptyAsNone] = Field(None, description="État de l'appel.")


class RuleTypeOut(Schema):
    code: str
    label: str
    description: str
    params_schema: dict[str, Any] = Field(description="Schéma JSON des paramètres.")
    default_params: dict[str, Any]


class RuleIn(InputSchema):
    rule_type: RuleType
    params: dict[str, Any] = Field(default_factory=dict, description="Paramètres, selon le schéma du type.")
    severity: Severity = Severity.BLOCKING
    message: Text = Field(
        "", max_length=1000, description="Message au porteur quand la règle n'est pas respectée."
    )


class RuleResultOut(Schema):
    rule_id: int | None
    rule_type: str
    label: str
    severity: Severity
    outcome: Outcome
    message: str
    advice: str


class BudgetEntryOut(Schema):
    line: str
    line_label: str
    side: str = Field(description="`charges` ou `resources`.")
    label: str = Field(description="Précision ; pour la ligne 74, le financeur.")
    amount: Decimal


class BudgetTotalsOut(Schema):
    charges: Decimal
    resources: Decimal
    balance: Decimal = Field(description="Ressources moins charges : 0 quand le budget est équilibré.")
    eligible_costs: Decimal = Field(description="Charges hors contributions volontaires en nature (86).")


class ObjectiveOut(Schema):
    title: str
    indicator: str
    unit: str
    target: Decimal


class ApplicationOut(Schema):
    id: int
    reference: str
    call_id: int
    title: str
    holder: str
    status: ApplicationStatus
    theme: str
    requested_amount: Decimal
    awarded_amount: Decimal | None
    start_date: date | None
    end_date: date | None
    submitted_at: datetime | None


class ApplicationDetailOut(ApplicationOut):
    description: str
    qpvs: list[str]
    objectives: list[ObjectiveOut]
    budget: list[BudgetEntryOut]
    totals: BudgetTotalsOut
    rule_results: list[RuleResultOut] = Field(description="Les règles de l'appel, vérifiées maintenant.")
    blocking: int = Field(description="Nombre de règles bloquantes non respectées.")


class ApplicationPage(PageOut):
    results: list[ApplicationOut]


class ApplicationFilters(PageParams):
    call: Annotated[int | None, EmptyAsNone] = Field(
        None, ge=1, le=MAX_ID, description="Identifiant de l'appel."
    )
    status: Annotated[ApplicationStatus | None, EmptyAsNone] = Field(None, description="État du dossier.")


class SubmittedOut(Schema):
    id: int
    status: ApplicationStatus
    version: int
    submitted_at: datetime


class ScoreOut(Schema):
    criterion_id: int
    score: int
    justification: str


class ReviewOut(Schema):
    reviewer: str
    conflict_status: str
    status: str
    total: Decimal | None = Field(description="Note sur 100 (bonus en sus) d'une évaluation transmise.")
    comment: str
    scores: list[ScoreOut]


class CriterionAgreementOut(Schema):
    criterion_id: int
    label: str
    scores: list[int]
    gap: int
    agreement: Decimal = Field(description="1 − écart / note maximale.")
    flagged: bool


class ReviewsOut(Schema):
    reviews: list[ReviewOut]
    mean: Decimal | None
    spread: Decimal = Field(description="Écart entre la meilleure et la moins bonne note transmise.")
    flagged: bool
    criteria: list[CriterionAgreementOut]


class DecisionOut(Schema):
    session_id: int
    held_on: date
    locked: bool
    reference: str
    application_id: int
    application_reference: str
    title: str
    holder: str
    outcome: DecisionOutcome
    amount: Decimal | None
    conditions: str
    reason: str


class DecisionPage(PageOut):
    results: list[DecisionOut]


class ObjectiveResultOut(Schema):
    objective: str
    target: Decimal
    achieved: Decimal | None


class FinancialLineOut(Schema):
    line: str
    label: str
    planned: Decimal
    actual: Decimal | None
    explanation: str


class ReportOut(Schema):
    status: ReportStatus
    due_on: date
    narrative: str
    qpv_residents: int | None
    young: int | None
    women: int | None
    seniors: int | None
    people_in_training_or_employment: int | None
    coordination_hours: Decimal | None
    objectives: list[ObjectiveResultOut]
    financial: list[FinancialLineOut]


def _rule_out(rule) -> dict[str, Any]:
    cls = REGISTRY.get(rule.rule_type)
    summary, label = "", rule.rule_type
    if cls is not None:
        label = str(cls.label)
        try:
            summary = cls.summary(cls.parse(rule.params))
        except ParamsError:
            summary = cls.description
    return {
        "id": rule.pk,
        "rule_type": rule.rule_type,
        "label": label,
        "summary": summary,
        "params": rule.params,
        "severity": rule.severity,
        "message": rule.message,
    }


def call_out(call: Call) -> dict[str, Any]:
    return {
        "id": call.pk,
        "cite": call.cite.name,
        "year": call.year,
        "title": call.title,
        "summary": call.summary,
        "status": call.status,
        "themes": list(call.themes or []),
        "envelope": call.envelope,
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "funder_label": call.funder_label,
    }


def call_detail_out(call: Call) -> dict[str, Any]:
    return {
        **call_out(call),
        "rules_text": call.rules_text,
        "rules": [_rule_out(r) for r in call.rules.all()],
        "criteria": [
            {
                "id": c.pk,
                "label": c.label,
                "description": c.description,
                "weight": c.weight,
                "max_score": c.max_score,
                "descriptors": [str(d) for d in c.descriptors],
                "is_bonus": c.is_bonus,
            }
            for c in call.criteria.all()
        ],
        "required_documents": [
            {"code": d.code, "label": d.label, "mandatory": d.mandatory}
            for d in call.required_documents.all()
        ],
    }


def application_out(app: Application) -> dict[str, Any]:
    return {
        "id": app.pk,
        "reference": app.reference,
        "call_id": app.call_id,
        "title": app.title,
        "holder": app.holder.name,
        "status": app.status,
        "theme": app.theme,
        "requested_amount": app.requested_amount,
        "awarded_amount": app.awarded_amount,
        "start_date": app.start_date,
        "end_date": app.end_date,
        "submitted_at": app.submitted_at,
    }


def _result_out(e: Evaluation) -> dict[str, Any]:
    return {
        "rule_id": e.rule_id,
        "rule_type": e.rule_type,
        "label": e.label,
        "severity": e.severity,
        "outcome": e.outcome,
        "message": e.message,
        "advice": e.advice,
    }


def application_detail_out(app: Application) -> dict[str, Any]:
    entries = [e for e in app.budget.all() if budget_lines.is_known(e.line)]
    totals = budget_lines.totals([budget_lines.Entry(e.line, e.amount, e.label) for e in entries])
    results = evaluate(app)
    return {
        **application_out(app),
        "description": app.description,
        "qpvs": sorted(q.code for q in app.qpvs.all()),
        "objectives": [
            {"title": o.title, "indicator": o.indicator, "unit": o.unit, "target": o.target}
            for o in app.objectives.all()
        ],
        "budget": [
            {
                "line": e.line,
                "line_label": budget_lines.LINES[e.line].label,
                "side": budget_lines.side_of(e.line),
                "label": e.label,
                "amount": e.amount,
            }
            for e in entries
        ],
        "totals": {
            "charges": totals.charges,
            "resources": totals.resources,
            "balance": totals.balance,
            "eligible_costs": totals.direct_charges,
        },
        "rule_results": [_result_out(e) for e in results],
        "blocking": sum(1 for e in results if e.blocking_failure),
    }


@router.get(
    "/calls",
    response={200: CallPage, **LIST_ERRORS},
    operation_id="calls_list",
    summary="Lister les appels à projets",
    description="Les appels de la cité du jeton (les brouillons pour la coordination seulement).",
    openapi_extra={"x-citemploi-action": "call.view"},
)
def list_calls(request: HttpRequest, filters: Query[CallFilters]) -> dict:
    ctx = acting(request)
    qs = queries.calls_for(ctx).select_related("cite").order_by("-year", "title", "id")
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    rows, pagination = page(qs, filters)
    return {**pagination, "results": [call_out(c) for c in rows]}


@router.get(
    "/calls/{call_id}",
    response={200: CallDetailOut, **READ_ERRORS},
    operation_id="calls_read",
    summary="Lire un appel à projets, ses règles, sa grille et ses pièces",
    openapi_extra={"x-citemploi-action": "call.view"},
)
def read_call(request: HttpRequest, call_id: CallId) -> dict:
    return call_detail_out(queries.access_call_for(acting(request), call_id))


@router.get(
    "/rule-types",
    response={200: list[RuleTypeOut], **LIST_ERRORS},
    operation_id="calls_rule_types",
    summary="Le catalogue des types de règles d'éligibilité",
    description="Chaque type de règle avec le schéma JSON de ses paramètres et ses paramètres par défaut.",
    openapi_extra={"x-citemploi-action": "call.manage"},
)
def list_rule_types(request: HttpRequest) -> list[dict]:
    return [
        {
            "code": cls.code,
            "label": str(cls.label),
            "description": cls.description,
            "params_schema": cls.schema(),
            "default_params": cls.defaults(),
        }
        for cls in REGISTRY.values()
    ]


@router.post(
    "/calls/{call_id}/rules",
    response={201: RuleOut, **WRITE_ERRORS},
    operation_id="calls_rules_add",
    summary="Ajouter une règle à un appel",
    description="Le type vient du catalogue (`/rule-types`) ; les paramètres sont vérifiés selon son schéma.",
    openapi_extra={"x-citemploi-action": "call.manage"},
)
def add_rule(request: HttpRequest, call_id: CallId, payload: RuleIn) -> Status:
    ctx = acting(request)
    call = queries.access_call_for(ctx, call_id, "call.manage")
    if payload.rule_type not in REGISTRY:
        raise BadInput(["body", "rule_type"], "Type de règle inconnu : voir /rule-types.")
    try:
        rule = call_services.add_rule(
            ctx=ctx,
            call=call,
            rule_type=payload.rule_type,
            params=payload.params,
            severity=payload.severity,
            message=payload.message,
        )
    except ValidationError as exc:
        messages = (
            exc.message_dict.get("params", exc.messages) if hasattr(exc, "error_dict") else exc.messages
        )
        raise BadInput(["body", "params"], " ".join(messages)) from None
    return Status(201, _rule_out(rule))


@router.get(
    "/applications",
    response={200: ApplicationPage, **LIST_ERRORS},
    operation_id="applications_list",
    summary="Lister les dossiers",
    description="Les dossiers que le rôle du jeton peut voir : ceux de sa structure pour un porteur, ceux qui "
    "lui sont confiés (sans conflit d'intérêts déclaré) pour un·e instructeur·rice, ceux de la cité pour la "
    "coordination.",
    openapi_extra={"x-citemploi-action": "application.view"},
)
def list_applications(request: HttpRequest, filters: Query[ApplicationFilters]) -> dict:
    ctx = acting(request)
    qs = queries.applications_for(ctx).select_related("holder").order_by("-created_at", "-id")
    if filters.call:
        qs = qs.filter(call_id=filters.call)
    if filters.status:
        qs = qs.filter(status=filters.status)
    rows, pagination = page(qs, filters)
    return {**pagination, "results": [application_out(a) for a in rows]}


@router.get(
    "/applications/{application_id}",
    response={200: ApplicationDetailOut, **READ_ERRORS},
    operation_id="applications_read",
    summary="Lire un dossier, son budget et les résultats des règles de l'appel",
    openapi_extra={"x-citemploi-action": "application.view"},
)
def read_application(request: HttpRequest, application_id: ApplicationId) -> dict:
    return application_detail_out(queries.access_application_for(acting(request), application_id))


@router.post(
    "/applications/{application_id}/submit",
    response={200: SubmittedOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="applications_submit",
    summary="Déposer un dossier",
    description="Vérifie toutes les règles : si une règle bloquante n'est pas respectée, la réponse est 422 avec "
    'une erreur par règle (`loc`: ["rules", code]) et rien ne change. Sinon la version est figée et un accusé '
    "de réception est envoyé. 409 si le dossier n'est plus modifiable.",
    openapi_extra={"x-citemploi-action": "application.submit"},
)
def submit_application(request: HttpRequest, application_id: ApplicationId) -> Any:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, "application.submit", log_read=False)
    if app.status not in (ApplicationStatus.DRAFT, ApplicationStatus.TO_COMPLETE):
        raise Conflict(f"Le dossier est « {app.get_status_display()} » : il ne se dépose plus.")
    try:
        result = application_services.submit_application(ctx=ctx, app=app)
    except application_services.SubmissionRefused as exc:
        errors = [
            {"loc": ["rules", f.rule_type], "msg": f.message, "type": "rule_failed"} for f in exc.failures
        ]
        return Status(422, {"detail": VALIDATION_DETAIL, "errors": errors})
    except (TransitionRefused, StaleEdit) as exc:
        raise Conflict(str(exc)) from None
    return {
        "id": result.application.pk,
        "status": result.application.status,
        "version": result.version.number,
        "submitted_at": result.version.created_at,
    }


@router.get(
    "/applications/{application_id}/reviews",
    response={200: ReviewsOut, **READ_ERRORS},
    operation_id="applications_reviews",
    summary="Les évaluations d'un dossier et l'accord entre instructeur·rices",
    openapi_extra={"x-citemploi-action": "application.instruct"},
)
def read_reviews(request: HttpRequest, application_id: ApplicationId) -> dict:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, "application.instruct", log_read=False)
    criteria = list(app.call.criteria.all())
    specs = [scoring.CriterionSpec(c.pk, c.label, c.weight, c.max_score, c.is_bonus) for c in criteria]
    reviews = list(
        Review.objects.filter(assignment__application=app)
        .select_related("assignment__reviewer")
        .prefetch_related("scores")
        .order_by("assignment__assigned_at", "id")
    )
    out, submitted = [], []
    for r in reviews:
        scores = {s.criterion_id: s for s in r.scores.all()}
        done = r.status == ReviewStatus.SUBMITTED
        if done:
            submitted.append({k: s.score for k, s in scores.items()})
        out.append(
            {
                "reviewer": str(r.assignment.reviewer),
                "conflict_status": r.assignment.conflict_status,
                "status": r.status,
                "total": scoring.total(specs, {k: s.score for k, s in scores.items()}) if done else None,
                "comment": r.comment,
                "scores": [
                    {"criterion_id": s.criterion_id, "score": s.score, "justification": s.justification}
                    for s in scores.values()
                ],
            }
        )
    agreement = scoring.agreement(
        specs, submitted, spread_threshold=app.call.disagreement_points, gap_threshold=app.call.criterion_gap
    )
    return {
        "reviews": out,
        "mean": agreement.mean,
        "spread": agreement.spread,
        "flagged": agreement.any_flag,
        "criteria": [
            {
                "criterion_id": c.criterion.id,
                "label": c.criterion.label,
                "scores": list(c.scores),
                "gap": c.gap,
                "agreement": c.agreement,
                "flagged": c.flagged,
            }
            for c in agreement.criteria
        ],
    }


@router.get(
    "/calls/{call_id}/decisions",
    response={200: DecisionPage, **READ_ERRORS},
    operation_id="calls_decisions",
    summary="Les décisions du comité de pilotage sur les dossiers d'un appel",
    openapi_extra={"x-citemploi-action": "committee.view"},
)
def list_decisions(request: HttpRequest, call_id: CallId, filters: Query[PageParams]) -> dict:
    ctx = acting(request)
    call = queries.access_call_for(ctx, call_id)
    qs = (
        Decision.objects.filter(session__in=queries.sessions_for(ctx), session__call=call)
        .select_related("session", "application__holder")
        .order_by("session__held_on", "session_id", "id")
    )
    rows, pagination = page(qs, filters)
    return {
        **pagination,
        "results": [
            {
                "session_id": d.session_id,
                "held_on": d.session.held_on,
                "locked": d.session.locked,
                "reference": d.reference,
                "application_id": d.application_id,
                "application_reference": d.application.reference,
                "title": d.application.title,
                "holder": d.application.holder.name,
                "outcome": d.outcome,
                "amount": d.amount,
                "conditions": d.conditions,
                "reason": d.reason,
            }
            for d in rows
        ],
    }


@router.get(
    "/applications/{application_id}/report",
    response={200: ReportOut, **READ_ERRORS},
    operation_id="applications_report",
    summary="Le bilan d'une action financée (qualitatif et financier)",
    description="404 tant que la convention n'est pas signée (le bilan n'existe pas encore).",
    openapi_extra={"x-citemploi-action": "application.view"},
)
def read_report(request: HttpRequest, application_id: ApplicationId) -> dict:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, log_read=False)
    report = Report.objects.filter(application=app).first()
    if report is None:
        raise not_found()
    return {
        "status": report.status,
        "due_on": report.due_on,
        "narrative": report.narrative,
        "qpv_residents": report.qpv_residents,
        "young": report.young,
        "women": report.women,
        "seniors": report.seniors,
        "people_in_training_or_employment": report.people_in_training_or_employment,
        "coordination_hours": report.coordination_hours,
        "objectives": [
            {"objective": r.objective.title, "target": r.objective.target, "achieved": r.achieved}
            for r in report.objective_results.select_related("objective")
        ],
        "financial": [
            {
                "line": f.line,
                "label": f.label,
                "planned": f.planned,
                "actual": f.actual,
                "explanation": f.explanation,
            }
            for f in report.financial_lines.all()
        ],
    }
