"""Cohorts, their candidates and the commission: cohorts (list, read, create), candidates (list as allowed,
propose, exit), commission sessions (list, read, agenda) and their decisions.

Reads go through citemploi.cohorts.queries (a commission member gets only the agenda's candidates, with
minimal data; a référent their structure's candidates; steering members figures only); writes through
citemploi.cohorts.services. Deciding on a closed session, or as a recused member, answers 409.
"""

from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import P, PathEx, Query, Schema, Status
from pydantic import Field

from citemploi.api.base import PolicyRouter, acting
from citemploi.api.errors import BadInput, Conflict
from citemploi.api.schemas import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    ConflictOut,
    EmptyAsNone,
    Id,
    InputSchema,
    IsoDate,
    PageOut,
    PageParams,
    Text,
    page,
)
from citemploi.cohorts import figures, queries, services
from citemploi.cohorts.enums import (
    CohortState,
    CommissionOutcome,
    ExitReason,
    MemberState,
    NotRetainedReason,
    Scheme,
    SessionStatus,
)
from citemploi.cohorts.machine import TransitionRefused
from citemploi.cohorts.models import Cohort, CommissionSession
from citemploi.partners import queries as partner_queries
from citemploi.partners.enums import StructureKind
from citemploi.people import queries as people_queries
from citemploi.people.enums import AgeBand, Gender

router = PolicyRouter(tags=["Cohortes et commission"])

CohortId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la cohorte.", example=1)]
SessionId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la séance de commission.", example=1)]
CandidateId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la candidature.", example=1)]
PlausibleDate = Annotated[IsoDate, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


# --- Schemas ------------------------------------------------------------------------------------------------


class CohortOut(Schema):
    id: int
    name: str
    target_public: str
    age_band: AgeBand | None
    gender: Gender | None
    qpv_residents_only: bool
    schemes: list[Scheme]
    followed_by_kind: StructureKind | None
    criteria_text: str
    target_size: int
    start_date: date
    end_date: date | None
    state: CohortState
    referent_structures: list[str]


class FunnelStepOut(Schema):
    state: MemberState
    label: str
    count: int = Field(description="Personnes distinctes ayant atteint cette étape dans la période.")


class FunnelOut(Schema):
    start: date
    end: date
    steps: list[FunnelStepOut]
    stock_integrated: int = Field(description="Personnes intégrées à la date de fin (stock).")


class CohortDetailOut(CohortOut):
    counts: dict[str, int] = Field(description="Nombre actuel de candidatures par état.")
    funnel: FunnelOut


class CohortPage(PageOut):
    results: list[CohortOut]


class CohortIn(InputSchema):
    name: Text = Field(min_length=1, max_length=200)
    target_public: Text = Field(min_length=1, max_length=5000)
    age_band: AgeBand | None = None
    gender: Gender | None = None
    qpv_residents_only: bool = True
    schemes: list[Scheme] = Field(default_factory=list, max_length=10)
    followed_by_kind: StructureKind | None = None
    criteria_text: Text = Field("", max_length=5000)
    target_size: int = Field(ge=1, le=100_000)
    start_date: PlausibleDate
    end_date: PlausibleDate | None = None
    referent_structure_ids: list[Id] = Field(default_factory=list, max_length=100)


class PeriodParams(Schema):
    start: Annotated[PlausibleDate | None, EmptyAsNone] = Field(
        None, description="Début de la période (AAAA-MM-JJ)."
    )
    end: Annotated[PlausibleDate | None, EmptyAsNone] = Field(
        None, description="Fin de la période (AAAA-MM-JJ)."
    )


class CandidateOut(Schema):
    id: int
    cohort_id: int
    state: MemberState
    first_name: str
    last_initial: str
    age_band: str = Field(description="Tranche d'âge à la date de la proposition.")
    qpv: str
    proposing_structure: str = Field(description="Une structure sensible n'est nommée qu'à ses membres.")
    reason: str
    proposed_on: date
    beneficiary_id: int | None = Field(description="La fiche de la personne, si vous pouvez l'ouvrir.")


class CandidatePage(PageOut):
    results: list[CandidateOut]


class ProposalIn(InputSchema):
    beneficiary_id: Id
    reason: Text = Field(min_length=1, max_length=2000)


class ExitIn(InputSchema):
    reason: ExitReason
    details: Text = Field("", max_length=2000)
    exited_on: PlausibleDate | None = Field(None, description="Par défaut : aujourd'hui.")


class AttendeeOut(Schema):
    name: str
    role: str
    present: bool


class RecusalOut(Schema):
    candidate_id: int
    member: str


class CommissionSessionOut(Schema):
    id: int
    title: str
    held_on: date
    place: str
    status: SessionStatus
    cohort_ids: list[int]


class SessionDetailOut(CommissionSessionOut):
    chair: str | None
    attendees: list[AttendeeOut]
    recusals: list[RecusalOut]


class SessionPage(PageOut):
    results: list[CommissionSessionOut]


class CommissionDecisionOut(Schema):
    candidate_id: int
    outcome: CommissionOutcome
    not_retained_reason: NotRetainedReason | None
    reason: str
    locked: bool


class AgendaOut(Schema):
    candidate: CandidateOut
    recused: list[str]
    decision: CommissionDecisionOut | None


class CommissionDecisionIn(InputSchema):
    candidate_id: Id
    outcome: CommissionOutcome
    not_retained_reason: NotRetainedReason | None = None
    reason: Text = Field("", max_length=2000)


# --- Conversions --------------------------------------------------------------------------------------------


def cohort_out(c: Cohort) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "target_public": c.target_public,
        "age_band": c.age_band or None,
        "gender": c.gender or None,
        "qpv_residents_only": c.qpv_residents_only,
        "schemes": [s for s in c.schemes if s in Scheme.values],
        "followed_by_kind": c.followed_by_kind or None,
        "criteria_text": c.criteria_text,
        "target_size": c.target_size,
        "start_date": c.start_date,
        "end_date": c.end_date,
        "state": c.state,
        "referent_structures": [s.name for s in c.referent_structures.all()],
    }


def candidate_out(card: queries.Candidate) -> dict[str, Any]:
    m = card.member
    return {
        "id": m.pk,
        "cohort_id": m.cohort_id,
        "state": m.state,
        "first_name": card.first_name,
        "last_initial": card.last_initial,
        "age_band": card.age_band,
        "qpv": card.qpv,
        "proposing_structure": card.structure,
        "reason": card.reason,
        "proposed_on": m.proposed_on,
        "beneficiary_id": card.beneficiary_id,
    }


def session_out(s: CommissionSession) -> dict[str, Any]:
    return {
        "id": s.pk,
        "title": s.title,
        "held_on": s.held_on,
        "place": s.place,
        "status": s.status,
        "cohort_ids": sorted(c.pk for c in s.cohorts.all()),
    }


def decision_out(d, locked: bool) -> dict[str, Any]:  # noqa: ANN001 - a cohorts Decision
    return {
        "candidate_id": d.member_id,
        "outcome": d.outcome,
        "not_retained_reason": d.not_retained_reason or None,
        "reason": d.reason,
        "locked": locked,
    }


# --- Cohorts ------------------------------------------------------------------------------------------------


@router.get(
    "/cohorts",
    response={200: CohortPage, **LIST_ERRORS},
    operation_id="cohorts_list",
    summary="Lister les cohortes",
    description="Les cohortes de la cité du jeton (les brouillons pour la coordination seulement).",
    openapi_extra={"x-citemploi-action": "cohort.view"},
)
def list_cohorts(request: HttpRequest, filters: Query[PageParams]) -> dict:
    qs = (
        queries.cohorts_for(acting(request))
        .prefetch_related("referent_structures")
        .order_by("-start_date", "name", "id")
    )
    rows, pagination = page(qs, filters)
    return {**pagination, "results": [cohort_out(c) for c in rows]}


@router.get(
    "/cohorts/{cohort_id}",
    response={200: CohortDetailOut, **READ_ERRORS},
    operation_id="cohorts_read",
    summary="Lire une cohorte, ses effectifs par état et son entonnoir",
    description="Entonnoir sur la période demandée (par défaut : du début de la cohorte à aujourd'hui).",
    openapi_extra={"x-citemploi-action": "cohort.view"},
)
def read_cohort(request: HttpRequest, cohort_id: CohortId, period: Query[PeriodParams]) -> dict:
    cohort = queries.access_cohort_for(acting(request), cohort_id)
    start = period.start or cohort.start_date
    end = period.end or max(start, timezone.localdate())
    if end < start:
        raise BadInput(["query", "end"], "La fin de la période doit suivre son début.")
    f = figures.funnel(cohort, start, end)
    return {
        **cohort_out(cohort),
        "counts": queries.state_counts(cohort),
        "funnel": {
            "start": f.start,
            "end": f.end,
            "steps": [{"state": s.state, "label": s.label, "count": s.count} for s in f.steps],
            "stock_integrated": f.stock_integrated,
        },
    }


@router.post(
    "/cohorts",
    response={201: CohortOut, **WRITE_ERRORS},
    operation_id="cohorts_create",
    summary="Créer une cohorte (brouillon)",
    openapi_extra={"x-citemploi-action": "cohort.manage"},
)
def create_cohort(request: HttpRequest, payload: CohortIn) -> Status:
    ctx = acting(request)
    structures = list(partner_queries.structures_for(ctx).filter(pk__in=payload.referent_structure_ids))
    if len(structures) != len(set(payload.referent_structure_ids)):
        raise BadInput(["body", "referent_structure_ids"], "Structure inconnue ou non partenaire de la cité.")
    data = payload.dict(exclude={"referent_structure_ids"})
    for name in ("age_band", "gender", "followed_by_kind"):
        data[name] = data[name] or ""
    data["schemes"] = [str(s) for s in data["schemes"]]
    cohort = services.create_cohort(ctx=ctx, data=data, referent_structures=structures)
    return Status(201, cohort_out(cohort))


# --- Candidates ---------------------------------------------------------------------------------------------


@router.get(
    "/cohorts/{cohort_id}/candidates",
    response={200: CandidatePage, **READ_ERRORS},
    operation_id="cohorts_candidates_list",
    summary="Lister les candidatures que vous pouvez voir",
    description="Coordination : toutes ; référent·e : celles de sa structure ; membre de commission : celles "
    "inscrites à l'ordre du jour de ses séances, en données minimales ; comité de pilotage : aucune (chiffres "
    "seulement, voir la cohorte). Chaque lecture est tracée.",
    openapi_extra={"x-citemploi-action": "cohort.view"},
)
def list_candidates(request: HttpRequest, cohort_id: CohortId, filters: Query[PageParams]) -> dict:
    ctx = acting(request)
    cohort = queries.access_cohort_for(ctx, cohort_id)
    qs = queries.with_card_data(queries.members_for(ctx, cohort)).order_by("proposed_on", "id")
    rows, pagination = page(qs, filters)
    return {
        **pagination,
        "results": [candidate_out(c) for c in queries.candidates(ctx, rows, purpose="members_read")],
    }


@router.post(
    "/cohorts/{cohort_id}/candidates",
    response={201: CandidateOut, **WRITE_ERRORS},
    operation_id="cohorts_candidates_propose",
    summary="Proposer une personne pour la cohorte",
    description="La personne doit être suivie par votre structure et avoir consenti à être présentée en "
    "commission. Votre structure reste responsable de son accompagnement.",
    openapi_extra={"x-citemploi-action": "cohort.propose"},
)
def propose(request: HttpRequest, cohort_id: CohortId, payload: ProposalIn) -> Status:
    ctx = acting(request)
    cohort = queries.access_cohort_for(ctx, cohort_id)
    person = people_queries.access_beneficiary_for(
        ctx, payload.beneficiary_id, "cohort.propose", log_read=False
    )
    member = services.propose(ctx=ctx, cohort=cohort, beneficiary=person, reason=payload.reason)
    member = queries.with_card_data(queries.members_for(ctx, cohort)).get(pk=member.pk)
    return Status(201, candidate_out(queries.candidates(ctx, [member], purpose="member_read")[0]))


@router.post(
    "/cohort-candidates/{candidate_id}/exit",
    response={200: CandidateOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="cohorts_candidates_exit",
    summary="Enregistrer la sortie d'une personne intégrée",
    description="409 si la personne n'est pas intégrée.",
    openapi_extra={"x-citemploi-action": "cohort.exit"},
)
def exit_candidate(request: HttpRequest, candidate_id: CandidateId, payload: ExitIn) -> dict:
    ctx = acting(request)
    member = queries.access_member_for(ctx, candidate_id, "cohort.exit")
    try:
        services.exit_member(
            ctx=ctx,
            member=member,
            reason=payload.reason,
            details=payload.details,
            exited_on=payload.exited_on,
        )
    except TransitionRefused as exc:
        raise Conflict(str(exc)) from exc
    member.refresh_from_db()
    return candidate_out(queries.candidates(ctx, [member], purpose="member_read")[0])


# --- Commission ---------------------------------------------------------------------------------------------


@router.get(
    "/commission-sessions",
    response={200: SessionPage, **LIST_ERRORS},
    operation_id="commission_sessions_list",
    summary="Lister les séances de commission",
    description="Toutes pour la coordination ; celles où vous êtes convoqué·e sinon.",
    openapi_extra={"x-citemploi-action": "commission.view"},
)
def list_sessions(request: HttpRequest, filters: Query[PageParams]) -> dict:
    qs = queries.sessions_for(acting(request)).prefetch_related("cohorts").order_by("-held_on", "-id")
    rows, pagination = page(qs, filters)
    return {**pagination, "results": [session_out(s) for s in rows]}


@router.get(
    "/commission-sessions/{session_id}",
    response={200: SessionDetailOut, **READ_ERRORS},
    operation_id="commission_sessions_read",
    summary="Lire une séance : convoqué·es, présent·es, récusations",
    openapi_extra={"x-citemploi-action": "commission.view"},
)
def read_session(request: HttpRequest, session_id: SessionId) -> dict:
    session = queries.access_session_for(acting(request), session_id)
    attendees = session.attendees.select_related("membership__user", "membership__structure")
    recusals = session.recusals.select_related("membership__user", "membership__structure")
    return {
        **session_out(session),
        "chair": queries.member_label(session.chair) if session.chair else None,
        "attendees": [
            {
                "name": queries.member_label(a.membership),
                "role": a.membership.get_role_display(),
                "present": a.present,
            }
            for a in attendees
        ],
        "recusals": [
            {"candidate_id": r.member_id, "member": queries.member_label(r.membership)} for r in recusals
        ],
    }


@router.get(
    "/commission-sessions/{session_id}/agenda",
    response={200: list[AgendaOut], **READ_ERRORS},
    operation_id="commission_sessions_agenda",
    summary="L'ordre du jour : candidatures en données minimales, récusations, décisions",
    openapi_extra={"x-citemploi-action": "commission.view"},
)
def read_agenda(request: HttpRequest, session_id: SessionId) -> list[dict]:
    ctx = acting(request)
    session = queries.access_session_for(ctx, session_id)
    return [
        {
            "candidate": candidate_out(row.candidate),
            "recused": row.recused,
            "decision": decision_out(row.decision, session.locked) if row.decision else None,
        }
        for row in queries.agenda_for(ctx, session)
    ]


@router.post(
    "/commission-sessions/{session_id}/decisions",
    response={200: CommissionDecisionOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="commission_sessions_decide",
    summary="Enregistrer la décision de la commission sur une candidature",
    description="Par la coordination ou la présidence de séance. 409 si la séance est clôturée (décisions "
    "verrouillées) ou si vous êtes récusé·e pour cette candidature.",
    openapi_extra={"x-citemploi-action": "commission.decide"},
)
def decide(request: HttpRequest, session_id: SessionId, payload: CommissionDecisionIn) -> dict:
    ctx = acting(request)
    session = queries.access_session_for(ctx, session_id, "commission.decide")
    item = session.agenda.select_related("member").filter(member_id=payload.candidate_id).first()
    if item is None:
        raise BadInput(
            ["body", "candidate_id"], "Cette candidature n'est pas inscrite à l'ordre du jour de la séance."
        )
    try:
        decision = services.record_decision(
            ctx=ctx,
            session=session,
            member=item.member,
            outcome=payload.outcome,
            not_retained_reason=payload.not_retained_reason or "",
            reason=payload.reason,
        )
    except (services.SessionLocked, services.Recused) as exc:
        raise Conflict(str(exc)) from exc
    return decision_out(decision, False)
