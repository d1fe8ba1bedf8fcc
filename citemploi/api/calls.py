"""Calls for projects: calls and their rules (with the catalogue of rule types), files with their rule
results, reviews and their agreement, committee decisions, reports.

A project holder reads only their structure's files; a reviewer only the files assigned to them once they
declared no conflict of interest; the coordination every file of the cité; steering members the decisions.
Writes go through citemploi.calls.services.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
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
    IsoDate,
    PageOut,
    PageParams,
    PastDate,
    Text,
    page,
)
from citemploi.calls import budget_lines, queries, reached, scoring
from citemploi.calls.eligibility.base import REGISTRY, ParamsError
from citemploi.calls.eligibility.engine import Evaluation, evaluate
from citemploi.calls.enums import (
    ApplicationStatus,
    CallStatus,
    ConflictStatus,
    DecisionOutcome,
    InstallmentKind,
    Outcome,
    ReportStatus,
    ReviewStatus,
    Severity,
)
from citemploi.calls.machines import TransitionRefused
from citemploi.calls.models import (
    Agreement,
    Application,
    Call,
    CommitteeSession,
    Decision,
    FundedActionLink,
    Report,
    Review,
    ReviewerAssignment,
)
from citemploi.calls.services import applications as application_services
from citemploi.calls.services import calls as call_services
from citemploi.calls.services import committee as committee_services
from citemploi.calls.services import funding as funding_services
from citemploi.calls.services import instruction as instruction_services
from citemploi.calls.services.common import IllegalState, StaleEdit
from citemploi.core.access import not_found
from citemploi.core.context import ActingContext

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
    id: int
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
    objective_id: int
    objective: str
    target: Decimal
    achieved: Decimal | None
    comment: str


class ActivityResultOut(Schema):
    activity_id: int
    activity: str
    hours_delivered: Decimal | None


class FinancialLineOut(Schema):
    id: int
    line: str
    label: str
    planned: Decimal
    actual: Decimal | None
    explanation: str


class ComputedOut(Schema):
    """The call's indicators as the platform records them for the funded action (read-only)."""

    starts_on: date = Field(description="Début de la période comptée (convention, sinon dossier).")
    ends_on: date = Field(description="Fin de la période comptée.")
    protected: bool = Field(
        description="Les effectifs de personnes passent par le secret statistique (tout jeton hors "
        "coordination de la cité) ; `null` = secret."
    )
    threshold: int | None = Field(
        description="Seuil du secret statistique appliqué ; `null` : chiffres exacts."
    )
    service_id: int | None = Field(description="Le service de l'annuaire de l'action.")
    roadmap_action_id: int | None = Field(description="L'action de la feuille de route de la cité.")
    people: int | None = Field(
        description="Personnes touchées : orientées vers le service (acceptée, commencée ou terminée dans "
        "la période), nommées aux événements de l'action, plus les participant·es compté·es sans être "
        "nommé·es ; chaque personne nommée une fois."
    )
    qpv_residents: int | None = Field(description="Dont résident·es des QPV.")
    young: int | None = Field(
        description="Dont jeunes (moins de 26 ans à la date où la personne est touchée)."
    )
    women: int | None = Field(description="Dont femmes.")
    seniors: int | None = Field(description="Dont seniors (50 ans et plus).")
    in_training_or_employment: int | None = Field(
        description="Personnes touchées (nommées) avec une sortie en emploi ou en formation datée dans la "
        "période, ou un point de suivi à 3, 6 ou 12 mois échu dans la période qui les trouve toujours en "
        "emploi ou en formation."
    )
    events: int = Field(
        description="Événements rattachés à l'action de la feuille de route, dans la période."
    )
    hours_delivered: Decimal = Field(description="Heures d'action réalisées, somme des événements.")
    coordination_hours: Decimal = Field(
        description="Heures de coordination avec les partenaires (événements)."
    )


class ReportOut(Schema):
    status: ReportStatus
    version: int = Field(
        description="À renvoyer dans `expected_version` pour ne pas écraser une autre saisie."
    )
    due_on: date
    narrative: str
    qpv_residents: int | None
    young: int | None
    women: int | None
    seniors: int | None
    people_in_training_or_employment: int | None
    coordination_hours: Decimal | None
    correction_request: str
    objectives: list[ObjectiveResultOut]
    activities: list[ActivityResultOut]
    financial: list[FinancialLineOut]
    computed: ComputedOut | None = Field(
        description="Les indicateurs calculés par la plateforme (lecture seule) ; `null` sans dates d'action."
    )


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
        "results": [_decision_out(d) for d in rows],
    }


@router.get(
    "/applications/{application_id}/report",
    response={200: ReportOut, **READ_ERRORS},
    operation_id="applications_report",
    summary="Le bilan d'une action financée (qualitatif et financier)",
    description="404 tant que la convention n'est pas signée (le bilan n'existe pas encore). `computed` : les "
    "indicateurs de l'appel calculés par la plateforme sur la période de l'action (orientations vers son "
    "service, événements de son action de la feuille de route, sorties et points de suivi des personnes "
    "touchées), en lecture seule et sans aucun nom ; exacts pour la coordination de la cité, sous secret "
    "statistique (public « financeurs », `null` = secret) pour les autres jetons.",
    openapi_extra={"x-citemploi-action": "application.view"},
)
def read_report(request: HttpRequest, application_id: ApplicationId) -> dict:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, log_read=False)
    return report_out(_report_of(app), ctx)


# --- Writes of instruction, committee and follow-up ---------------------------------------------------------
#
# The services decide; the API maps what they refuse: an object out of reach is 404 (the access helpers), a
# role without the action 403 (the router), a refused value 422, an action illegal in the object's current
# state (session locked, review already sent, agreement not signed, report already validated…) 409.

AssignmentId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de l'affectation.", example=1)]
SessionId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la séance du comité.", example=1)]
DecisionId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la décision.", example=1)]

MAX_COUNT = 1_000_000
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2)]
Hours = Annotated[Decimal, Field(ge=0, le=Decimal("999999.99"), max_digits=8, decimal_places=2)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
LongText = Annotated[Text, Field(max_length=20000)]
STATE_ERRORS: dict[int, Any] = {409: ConflictOut, **WRITE_ERRORS}


def _state_conflicts(call: Any) -> Any:
    """Run a service call; an action illegal in the current state becomes a 409."""
    try:
        return call()
    except (IllegalState, TransitionRefused, StaleEdit) as exc:
        raise Conflict(str(exc)) from None


class AssignmentOut(Schema):
    id: int
    application_id: int
    application_reference: str
    title: str
    conflict_status: ConflictStatus
    auto_conflict: str = Field(description="Structures du dossier dont vous êtes membre (conflit établi).")
    declared_at: datetime | None
    review_status: ReviewStatus | None = Field(description="`null` tant qu'aucune note n'est enregistrée.")


class DeclarationIn(InputSchema):
    has_conflict: bool = Field(description="`true` si vous avez un conflit d'intérêts avec ce dossier.")
    comment: Text = Field("", max_length=2000, description="Précisions (facultatives).")


class ScoreIn(InputSchema):
    criterion_id: int = Field(ge=1, le=MAX_ID, description="Critère de la grille de l'appel.")
    score: int = Field(ge=0, le=10, description="Note, de 0 à la note maximale du critère.")
    justification: Text = Field(max_length=5000, description="Justification, obligatoire.")


class ReviewIn(InputSchema):
    scores: list[ScoreIn] = Field(max_length=50)
    comment: Text = Field("", max_length=5000, description="Avis général.")
    submit: bool = Field(
        False,
        description="`true` transmet l'évaluation : chaque critère doit être noté et justifié ; "
        "elle ne se modifie plus ensuite.",
    )


class DecisionIn(InputSchema):
    outcome: DecisionOutcome
    amount: Amount | None = Field(
        None, description="Montant attribué, obligatoire quand le dossier est retenu."
    )
    conditions: Text = Field("", max_length=5000)
    reason: Text = Field(
        "", max_length=5000, description="Motif, obligatoire pour un ajournement ou un refus."
    )


class SessionOut(Schema):
    id: int
    call_id: int
    title: str
    held_on: date
    locked: bool
    locked_at: datetime | None
    decisions: list[DecisionOut]


class ObjectiveResultIn(InputSchema):
    objective_id: int = Field(ge=1, le=MAX_ID)
    achieved: Amount | None = None
    comment: Text = Field("", max_length=5000)


class ActivityResultIn(InputSchema):
    activity_id: int = Field(ge=1, le=MAX_ID)
    hours_delivered: Hours | None = None


class FinancialLineIn(InputSchema):
    line_id: int = Field(ge=1, le=MAX_ID, description="Identifiant de la ligne du bilan financier.")
    actual: Amount | None = None
    explanation: Text = Field(
        "", max_length=5000, description="Obligatoire au-delà du seuil d'écart de l'appel."
    )


class ReportIn(InputSchema):
    """The report as a draft: the fields left out keep their value."""

    narrative: LongText | None = None
    qpv_residents: Count | None = None
    young: Count | None = None
    women: Count | None = None
    seniors: Count | None = None
    people_in_training_or_employment: Count | None = None
    coordination_hours: Hours | None = None
    objectives: list[ObjectiveResultIn] = Field(default_factory=list, max_length=50)
    activities: list[ActivityResultIn] = Field(default_factory=list, max_length=200)
    financial: list[FinancialLineIn] = Field(default_factory=list, max_length=300)
    expected_version: int | None = Field(
        None, ge=1, le=MAX_ID, description="Version lue : 409 si le bilan a changé entre-temps."
    )


class ReasonIn(InputSchema):
    reason: Text = Field("", max_length=5000)


class CorrectionIn(InputSchema):
    reason: Text = Field(min_length=1, max_length=5000, description="Les corrections demandées au porteur.")


class PaymentIn(InputSchema):
    kind: InstallmentKind = Field(description="Échéance : `advance` (avance) ou `balance` (solde).")
    amount: Amount = Field(gt=0)
    paid_on: PastDate
    reference: Text = Field("", max_length=100, description="Référence du mandat ou de l'engagement.")


class AgreementIn(InputSchema):
    starts_on: IsoDate = Field(description="Début de l'action.")
    ends_on: IsoDate = Field(description="Fin de l'action, au plus tôt le jour du début.")


class SignatureIn(InputSchema):
    signed_on: PastDate = Field(description="Date de signature de la convention (pas dans le futur).")


class InstallmentOut(Schema):
    kind: InstallmentKind
    amount: Decimal
    paid: Decimal
    remaining: Decimal


class PaymentOut(Schema):
    id: int
    kind: InstallmentKind
    amount: Decimal
    paid_on: date
    reference: str


class AgreementOut(Schema):
    number: str
    amount: Decimal
    starts_on: date
    ends_on: date
    report_due_on: date
    signed_on: date | None
    installments: list[InstallmentOut]
    payments: list[PaymentOut]
    service_id: int | None = Field(description="Le service de l'annuaire créé pour l'action financée.")
    roadmap_action_id: int | None = Field(description="L'action de la feuille de route de la cité.")


def _assignment_out(a: ReviewerAssignment) -> dict[str, Any]:
    review = Review.objects.filter(assignment=a).first()
    return {
        "id": a.pk,
        "application_id": a.application_id,
        "application_reference": a.application.reference,
        "title": a.application.title,
        "conflict_status": a.conflict_status,
        "auto_conflict": a.auto_conflict,
        "declared_at": a.declared_at,
        "review_status": review.status if review else None,
    }


@router.get(
    "/assignments",
    response={200: list[AssignmentOut], **LIST_ERRORS},
    operation_id="assignments_list",
    summary="Mes dossiers à instruire",
    description="Les affectations de l'instructeur·rice du jeton, déclarées ou non. Le dossier lui-même n'est "
    "lisible qu'après la déclaration d'absence de conflit d'intérêts.",
    openapi_extra={"x-citemploi-action": "review.score"},
)
def list_assignments(request: HttpRequest) -> list[dict]:
    ctx = acting(request)
    rows = queries.assignments_for(ctx).prefetch_related("review").order_by("assigned_at", "id")[:500]
    out = []
    for a in rows:
        review = getattr(a, "review", None)
        out.append(
            {
                "id": a.pk,
                "application_id": a.application_id,
                "application_reference": a.application.reference,
                "title": a.application.title,
                "conflict_status": a.conflict_status,
                "auto_conflict": a.auto_conflict,
                "declared_at": a.declared_at,
                "review_status": review.status if review else None,
            }
        )
    return out


@router.post(
    "/assignments/{assignment_id}/declaration",
    response={200: AssignmentOut, **STATE_ERRORS},
    operation_id="assignments_declare",
    summary="Déclarer un conflit d'intérêts, ou son absence",
    description="Une seule déclaration par affectation (409 ensuite). Membre du porteur ou d'un partenaire, "
    "l'instructeur·rice ne peut pas se déclarer sans conflit (422).",
    openapi_extra={"x-citemploi-action": "review.score"},
)
def declare(request: HttpRequest, assignment_id: AssignmentId, payload: DeclarationIn) -> dict:
    ctx = acting(request)
    assignment = queries.access_assignment_for(ctx, assignment_id)
    declared = _state_conflicts(
        lambda: instruction_services.declare_conflict(
            ctx=ctx, assignment=assignment, has_conflict=payload.has_conflict, comment=payload.comment
        )
    )
    declared.application = assignment.application
    return _assignment_out(declared)


def _review_out(review: Review, app: Application) -> dict[str, Any]:
    criteria = list(app.call.criteria.all())
    specs = [scoring.CriterionSpec(c.pk, c.label, c.weight, c.max_score, c.is_bonus) for c in criteria]
    scores = {s.criterion_id: s for s in review.scores.all()}
    done = review.status == ReviewStatus.SUBMITTED
    return {
        "reviewer": str(review.assignment.reviewer),
        "conflict_status": review.assignment.conflict_status,
        "status": review.status,
        "total": scoring.total(specs, {k: s.score for k, s in scores.items()}) if done else None,
        "comment": review.comment,
        "scores": [
            {"criterion_id": s.criterion_id, "score": s.score, "justification": s.justification}
            for s in scores.values()
        ],
    }


@router.put(
    "/assignments/{assignment_id}/review",
    response={200: ReviewOut, **STATE_ERRORS},
    operation_id="assignments_review",
    summary="Enregistrer ou transmettre ses notes",
    description="Une note par critère avec sa justification (obligatoire). Remplace les notes enregistrées. "
    "409 avant la déclaration d'absence de conflit d'intérêts, hors instruction ou après la transmission.",
    openapi_extra={"x-citemploi-action": "review.score"},
)
def save_review(request: HttpRequest, assignment_id: AssignmentId, payload: ReviewIn) -> dict:
    ctx = acting(request)
    assignment = queries.access_assignment_for(ctx, assignment_id)
    app = assignment.application
    known = set(app.call.criteria.values_list("pk", flat=True))
    for i, s in enumerate(payload.scores):
        if s.criterion_id not in known:
            raise BadInput(
                ["body", "scores", i, "criterion_id"], "Critère inconnu dans la grille de cet appel."
            )
    scores: dict[int, tuple[int | None, str]] = {
        s.criterion_id: (s.score, s.justification) for s in payload.scores
    }
    review = _state_conflicts(
        lambda: instruction_services.save_review(
            ctx=ctx, assignment=assignment, scores=scores, comment=payload.comment, submit=payload.submit
        )
    )
    review = (
        Review.objects.select_related("assignment__reviewer").prefetch_related("scores").get(pk=review.pk)
    )
    return _review_out(review, app)


def _decision_out(d: Decision) -> dict[str, Any]:
    return {
        "id": d.pk,
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


def _session_out(session: CommitteeSession) -> dict[str, Any]:
    decisions = session.decisions.select_related("session", "application__holder").order_by("id")
    return {
        "id": session.pk,
        "call_id": session.call_id,
        "title": session.title,
        "held_on": session.held_on,
        "locked": session.locked,
        "locked_at": session.locked_at,
        "decisions": [_decision_out(d) for d in decisions],
    }


@router.get(
    "/sessions/{session_id}",
    response={200: SessionOut, **READ_ERRORS},
    operation_id="sessions_read",
    summary="Une séance du comité de pilotage et ses décisions",
    openapi_extra={"x-citemploi-action": "committee.view"},
)
def read_session(request: HttpRequest, session_id: SessionId) -> dict:
    return _session_out(queries.access_session_for(acting(request), session_id))


@router.put(
    "/sessions/{session_id}/decisions/{decision_id}",
    response={200: DecisionOut, **STATE_ERRORS},
    operation_id="sessions_decide",
    summary="Enregistrer la décision du comité sur un dossier",
    description="Retenu (avec le montant, au plus la subvention demandée), ajourné ou refusé (avec le motif). "
    "409 quand la séance est close : ses décisions sont verrouillées.",
    openapi_extra={"x-citemploi-action": "committee.decide"},
)
def decide(request: HttpRequest, session_id: SessionId, decision_id: DecisionId, payload: DecisionIn) -> dict:
    ctx = acting(request)
    session = queries.access_session_for(ctx, session_id, "committee.decide")
    decision = queries.access_decision_for(ctx, session, decision_id)
    saved = _state_conflicts(
        lambda: committee_services.save_decision(
            ctx=ctx,
            decision=decision,
            outcome=payload.outcome,
            amount=payload.amount,
            conditions=payload.conditions,
            reason=payload.reason,
        )
    )
    saved = Decision.objects.select_related("session", "application__holder").get(pk=saved.pk)
    return _decision_out(saved)


@router.post(
    "/sessions/{session_id}/lock",
    response={200: SessionOut, **STATE_ERRORS},
    operation_id="sessions_lock",
    summary="Clore la séance et verrouiller ses décisions",
    description="Chaque dossier doit être décidé et les montants retenus tenir dans l'enveloppe restante "
    "(422 sinon) ; les dossiers passent « retenu », « ajourné » ou « refusé ». 409 si la séance est déjà close.",
    openapi_extra={"x-citemploi-action": "committee.decide"},
)
def lock(request: HttpRequest, session_id: SessionId) -> dict:
    ctx = acting(request)
    session = queries.access_session_for(ctx, session_id, "committee.decide")
    locked = _state_conflicts(lambda: committee_services.lock_session(ctx=ctx, session=session))
    return _session_out(locked)


def _report_of(app: Application) -> Report:
    report = Report.objects.filter(application=app).select_related("application__call").first()
    if report is None:
        raise not_found()
    return report


def _computed_out(ctx: ActingContext, app: Application) -> dict[str, Any] | None:
    shown = reached.figures_for(ctx, app)
    if shown is None:
        return None
    figures = shown.figures
    return {
        "starts_on": figures.starts_on,
        "ends_on": figures.ends_on,
        "protected": shown.protected,
        "threshold": shown.threshold,
        "service_id": figures.service_id,
        "roadmap_action_id": figures.roadmap_action_id,
        **shown.values,
    }


def report_out(report: Report, ctx: ActingContext) -> dict[str, Any]:
    return {
        "status": report.status,
        "version": report.version,
        "due_on": report.due_on,
        "narrative": report.narrative,
        "qpv_residents": report.qpv_residents,
        "young": report.young,
        "women": report.women,
        "seniors": report.seniors,
        "people_in_training_or_employment": report.people_in_training_or_employment,
        "coordination_hours": report.coordination_hours,
        "correction_request": report.correction_request,
        "objectives": [
            {
                "objective_id": r.objective_id,
                "objective": r.objective.title,
                "target": r.objective.target,
                "achieved": r.achieved,
                "comment": r.comment,
            }
            for r in report.objective_results.select_related("objective")
        ],
        "activities": [
            {"activity_id": a.activity_id, "activity": a.activity.title, "hours_delivered": a.hours_delivered}
            for a in report.activity_results.select_related("activity")
        ],
        "financial": [
            {
                "id": f.pk,
                "line": f.line,
                "label": f.label,
                "planned": f.planned,
                "actual": f.actual,
                "explanation": f.explanation,
            }
            for f in report.financial_lines.all()
        ],
        "computed": _computed_out(ctx, report.application),
    }


def _check_rows(report: Report, payload: ReportIn) -> None:
    known = {
        "objectives": set(report.objective_results.values_list("objective_id", flat=True)),
        "activities": set(report.activity_results.values_list("activity_id", flat=True)),
        "financial": set(report.financial_lines.values_list("pk", flat=True)),
    }
    rows = {
        "objectives": [("objective_id", r.objective_id) for r in payload.objectives],
        "activities": [("activity_id", r.activity_id) for r in payload.activities],
        "financial": [("line_id", r.line_id) for r in payload.financial],
    }
    for name, values in rows.items():
        for i, (key, value) in enumerate(values):
            if value not in known[name]:
                raise BadInput(["body", name, i, key], "Ligne inconnue dans ce bilan.")


@router.put(
    "/applications/{application_id}/report",
    response={200: ReportOut, **STATE_ERRORS},
    operation_id="applications_report_save",
    summary="Enregistrer le bilan (brouillon)",
    description="Bilan qualitatif, indicateurs de l'appel, réalisé par objectif, heures par activité, réalisé "
    "et explication par ligne du budget (CERFA n° 15059). 409 quand le bilan est déposé ou validé, ou modifié "
    "entre-temps (`expected_version`).",
    openapi_extra={"x-citemploi-action": "report.submit"},
)
def save_report(request: HttpRequest, application_id: ApplicationId, payload: ReportIn) -> dict:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, "report.submit", log_read=False)
    report = _report_of(app)
    _check_rows(report, payload)
    data = {
        k: getattr(payload, k)
        for k in funding_services.REPORT_FIELDS
        if k in payload.model_fields_set and getattr(payload, k) is not None
    }
    saved = _state_conflicts(
        lambda: funding_services.save_report(
            ctx=ctx,
            report=report,
            data=data,
            objectives={r.objective_id: (r.achieved, r.comment) for r in payload.objectives},
            activities={r.activity_id: r.hours_delivered for r in payload.activities},
            financial={r.line_id: (r.actual, r.explanation) for r in payload.financial},
            expected_version=payload.expected_version,
        )
    )
    return report_out(_report_of(saved.application), ctx)


@router.post(
    "/applications/{application_id}/report/submit",
    response={200: ReportOut, **STATE_ERRORS},
    operation_id="applications_report_submit",
    summary="Déposer le bilan",
    description="Le bilan doit être complet et chaque écart au-delà du seuil expliqué (422 avec la liste de ce "
    "qui manque). 409 quand il est déjà déposé ou validé.",
    openapi_extra={"x-citemploi-action": "report.submit"},
)
def submit_report(request: HttpRequest, application_id: ApplicationId) -> dict:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, "report.submit", log_read=False)
    report = _report_of(app)
    _state_conflicts(lambda: funding_services.submit_report(ctx=ctx, report=report))
    return report_out(_report_of(app), ctx)


@router.post(
    "/applications/{application_id}/report/validate",
    response={200: ReportOut, **STATE_ERRORS},
    operation_id="applications_report_validate",
    summary="Valider le bilan déposé",
    description="409 si le bilan n'est pas au statut « déposé ».",
    openapi_extra={"x-citemploi-action": "report.validate"},
)
def validate_report(request: HttpRequest, application_id: ApplicationId, payload: ReasonIn) -> dict:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, "report.validate", log_read=False)
    report = _report_of(app)
    _state_conflicts(lambda: funding_services.validate_report(ctx=ctx, report=report, reason=payload.reason))
    return report_out(_report_of(app), ctx)


@router.post(
    "/applications/{application_id}/report/correction",
    response={200: ReportOut, **STATE_ERRORS},
    operation_id="applications_report_correction",
    summary="Demander des corrections au porteur",
    description="Le bilan déposé repasse « à corriger » avec le motif, et le porteur est prévenu. 409 si le "
    "bilan n'est pas au statut « déposé ».",
    openapi_extra={"x-citemploi-action": "report.validate"},
)
def request_correction(request: HttpRequest, application_id: ApplicationId, payload: CorrectionIn) -> dict:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, "report.validate", log_read=False)
    report = _report_of(app)
    _state_conflicts(
        lambda: funding_services.request_report_correction(ctx=ctx, report=report, reason=payload.reason)
    )
    return report_out(_report_of(app), ctx)


def _agreement_out(agreement: Agreement) -> dict[str, Any]:
    link = FundedActionLink.objects.filter(application_id=agreement.application_id).first()
    return {
        "number": agreement.number,
        "amount": agreement.amount,
        "starts_on": agreement.starts_on,
        "ends_on": agreement.ends_on,
        "report_due_on": agreement.report_due_on,
        "signed_on": agreement.signed_on,
        "installments": [
            {
                "kind": row.installment.kind,
                "amount": row.installment.amount,
                "paid": row.paid,
                "remaining": row.remaining,
            }
            for row in funding_services.schedule(agreement)
        ],
        "payments": [
            {
                "id": p.pk,
                "kind": p.installment.kind,
                "amount": p.amount,
                "paid_on": p.paid_on,
                "reference": p.reference,
            }
            for p in agreement.payments.select_related("installment")
        ],
        "service_id": link.service_id if link else None,
        "roadmap_action_id": link.roadmap_action_id if link else None,
    }


def _agreement_of(app: Application) -> Agreement:
    agreement = Agreement.objects.filter(application=app).prefetch_related("installments").first()
    if agreement is None:
        raise not_found()
    return agreement


@router.get(
    "/applications/{application_id}/agreement",
    response={200: AgreementOut, **READ_ERRORS},
    operation_id="applications_agreement",
    summary="La convention d'un dossier retenu, son échéancier et ses versements",
    description="404 tant qu'aucune convention n'est préparée.",
    openapi_extra={"x-citemploi-action": "application.view"},
)
def read_agreement(request: HttpRequest, application_id: ApplicationId) -> dict:
    app = queries.access_application_for(acting(request), application_id, log_read=False)
    return _agreement_out(_agreement_of(app))


@router.post(
    "/applications/{application_id}/payments",
    response={201: AgreementOut, **STATE_ERRORS},
    operation_id="applications_payments_add",
    summary="Enregistrer un versement",
    description="Sur l'avance (la convention doit être signée) ou sur le solde (après la validation du bilan) ; "
    "au plus le reste à verser de l'échéance (422). 409 si la convention n'est pas signée ou le bilan pas validé.",
    openapi_extra={"x-citemploi-action": "agreement.manage"},
)
def add_payment(request: HttpRequest, application_id: ApplicationId, payload: PaymentIn) -> Status:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, "agreement.manage", log_read=False)
    agreement = _agreement_of(app)
    _state_conflicts(
        lambda: funding_services.record_payment(
            ctx=ctx,
            agreement=agreement,
            kind=payload.kind,
            amount=payload.amount,
            paid_on=payload.paid_on,
            reference=payload.reference,
        )
    )
    return Status(201, _agreement_out(_agreement_of(app)))


@router.post(
    "/applications/{application_id}/agreement",
    response={201: AgreementOut, **STATE_ERRORS},
    operation_id="applications_agreement_create",
    summary="Préparer la convention d'un dossier retenu",
    description="Montant : la subvention attribuée par le comité. Échéancier : avance à la signature selon le "
    "pourcentage de l'appel, solde après la validation du bilan ; bilans à remettre dans le délai de l'appel "
    "après la fin de l'action. 409 si le dossier n'est pas « retenu » ou a déjà une convention ; 422 si la fin "
    "précède le début.",
    openapi_extra={"x-citemploi-action": "agreement.manage"},
)
def create_agreement(request: HttpRequest, application_id: ApplicationId, payload: AgreementIn) -> Status:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, "agreement.manage", log_read=False)
    if Agreement.objects.filter(application=app).exists():
        raise Conflict("Ce dossier a déjà une convention.")
    if app.status != ApplicationStatus.SELECTED:
        raise Conflict(
            f"Le dossier est « {app.get_status_display()} » : seul un dossier retenu reçoit une convention."
        )
    if payload.ends_on < payload.starts_on:
        raise BadInput(["body", "ends_on"], "La fin de l'action précède son début.")
    try:
        _state_conflicts(
            lambda: funding_services.create_agreement(
                ctx=ctx, app=app, starts_on=payload.starts_on, ends_on=payload.ends_on
            )
        )
    except IntegrityError:
        raise Conflict("Ce dossier a déjà une convention.") from None
    return Status(201, _agreement_out(_agreement_of(app)))


@router.post(
    "/applications/{application_id}/agreement/sign",
    response={200: AgreementOut, **STATE_ERRORS},
    operation_id="applications_agreement_sign",
    summary="Enregistrer la signature de la convention",
    description="Le dossier passe « convention signée », son bilan s'ouvre au porteur (« à produire ») et "
    "l'action financée devient un service de l'annuaire et une action de la feuille de route "
    "(`service_id`, `roadmap_action_id`). 404 sans convention ; 409 si elle est déjà signée ; 422 pour une "
    "date dans le futur.",
    openapi_extra={"x-citemploi-action": "agreement.manage"},
)
def sign_agreement(request: HttpRequest, application_id: ApplicationId, payload: SignatureIn) -> dict:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, "agreement.manage", log_read=False)
    agreement = _agreement_of(app)
    if agreement.signed_on:
        raise Conflict(f"La convention est déjà signée (le {agreement.signed_on:%d/%m/%Y}).")
    try:
        _state_conflicts(
            lambda: funding_services.sign_agreement(ctx=ctx, agreement=agreement, signed_on=payload.signed_on)
        )
    except IntegrityError:
        raise Conflict("La convention est déjà signée.") from None
    return _agreement_out(_agreement_of(app))


class AdmissibilityIn(InputSchema):
    decision: Literal["admissible", "to_complete", "not_admissible"] = Field(
        description="`admissible` (recevable), `to_complete` (à compléter, avec `complete_by`) ou "
        "`not_admissible` (non recevable, avec le motif)."
    )
    reason: Text = Field("", max_length=5000, description="Motif ; obligatoire sauf pour « recevable ».")
    complete_by: IsoDate | None = Field(None, description="Date limite des compléments (dans le futur).")


class AssignIn(InputSchema):
    reviewer_id: int = Field(
        ge=1, le=MAX_ID, description="Utilisateur·rice ayant le rôle d'instructeur dans la cité."
    )


class AssignedOut(Schema):
    id: int
    reviewer: str
    conflict_status: ConflictStatus
    auto_conflict: str


@router.post(
    "/applications/{application_id}/admissibility",
    response={200: ApplicationOut, **STATE_ERRORS},
    operation_id="applications_admissibility",
    summary="Statuer sur la recevabilité d'un dossier déposé",
    description="Les résultats des règles à ce moment sont gardés dans le journal des états. « À compléter » "
    "renvoie le dossier au porteur avec une date limite ; le porteur est prévenu. 409 si le dossier n'est pas "
    "au statut qui le permet.",
    openapi_extra={"x-citemploi-action": "application.instruct"},
)
def admissibility(request: HttpRequest, application_id: ApplicationId, payload: AdmissibilityIn) -> dict:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, "application.instruct", log_read=False)
    if payload.decision == "to_complete":
        if payload.complete_by is None:
            raise BadInput(["body", "complete_by"], "Indiquez la date limite des compléments.")
        complete_by = payload.complete_by
        _state_conflicts(
            lambda: instruction_services.request_completion(
                ctx=ctx, app=app, reason=payload.reason, complete_by=complete_by
            )
        )
    elif payload.decision == "not_admissible":
        if not payload.reason:
            raise BadInput(["body", "reason"], "Indiquez le motif de la non-recevabilité.")
        _state_conflicts(
            lambda: instruction_services.declare_not_admissible(ctx=ctx, app=app, reason=payload.reason)
        )
    else:
        _state_conflicts(
            lambda: instruction_services.declare_admissible(ctx=ctx, app=app, reason=payload.reason)
        )
    app.refresh_from_db()
    return application_out(app)


@router.post(
    "/applications/{application_id}/reviewers",
    response={201: AssignedOut, **STATE_ERRORS},
    operation_id="applications_assign",
    summary="Confier un dossier recevable à un·e instructeur·rice",
    description="Un·e instructeur·rice membre du porteur ou d'un partenaire est signalé·e en conflit "
    "d'intérêts d'office. 409 si le dossier n'est ni recevable ni en instruction ; 422 si la personne n'est "
    "pas instructrice dans la cité ou instruit déjà ce dossier.",
    openapi_extra={"x-citemploi-action": "application.instruct"},
)
def assign_reviewer(request: HttpRequest, application_id: ApplicationId, payload: AssignIn) -> Status:
    ctx = acting(request)
    app = queries.access_application_for(ctx, application_id, "application.instruct", log_read=False)
    reviewer = next(
        (u for u in instruction_services.reviewers_of_cite(app.call.cite_id) if u.pk == payload.reviewer_id),
        None,
    )
    if reviewer is None:
        raise BadInput(["body", "reviewer_id"], "Cette personne n'est pas instructrice dans la cité.")
    if app.status not in (ApplicationStatus.ADMISSIBLE, ApplicationStatus.UNDER_REVIEW):
        raise Conflict(
            f"Le dossier est « {app.get_status_display()} » : il ne se confie pas à l'instruction."
        )
    assignment = instruction_services.assign_reviewer(ctx=ctx, app=app, reviewer=reviewer)
    return Status(
        201,
        {
            "id": assignment.pk,
            "reviewer": str(reviewer),
            "conflict_status": assignment.conflict_status,
            "auto_conflict": assignment.auto_conflict,
        },
    )
