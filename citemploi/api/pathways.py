"""API of the pathways domain: a person's diagnostic (barriers), plan (objectives, actions) and hand-overs.

Every read goes through citemploi.pathways.queries (the person's scope, sensitive barriers shown only to the
person's responsible référent) and every write through citemploi.pathways.services. Absent, out of reach and
sensitive items one may not see all answer 404.
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import P, PathEx, Query, Schema, Status
from pydantic import Field

from citemploi.accounts.models import User
from citemploi.api.base import PolicyRouter, acting
from citemploi.api.beneficiaries import BeneficiaryId
from citemploi.api.errors import BadInput, Conflict
from citemploi.api.schemas import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    ConflictOut,
    Id,
    InputSchema,
    IsoDate,
    PastDate,
    Ref,
    Text,
)
from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.core.policy import Role
from citemploi.offer.referentials import BARRIERS_BY_CODE, BarrierCode
from citemploi.partners import queries as partner_queries
from citemploi.partners.models import Membership
from citemploi.pathways import queries, services
from citemploi.pathways.enums import (
    BarrierSeverity,
    BarrierSource,
    BarrierState,
    PlanActionStatus,
    PlanObjectiveStatus,
)
from citemploi.pathways.models import BarrierRecord, Objective, PlanAction
from citemploi.people.enums import ConsentMethod

router = PolicyRouter(tags=["Parcours : diagnostic, plan d'action, passage de relais"])

BarrierId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant du frein de la personne.", example=1)]
ObjectiveId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de l'objectif.", example=1)]
ActionId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de l'action du plan.", example=1)]


# --- Schemas ------------------------------------------------------------------------------------------------


class PathwayCodeLabel(Schema):
    code: str
    label: str


class PathwayTransitionOut(Schema):
    from_state: str = Field(description="État de départ (vide pour la création).")
    to_state: str
    reason: str
    at: datetime
    by: str | None


class PathwayBarrierOut(Schema):
    id: int
    version: int = Field(description="Version, à renvoyer lors d'un changement d'état.")
    barrier: PathwayCodeLabel = Field(description="Un des 11 freins du référentiel.")
    situation: PathwayCodeLabel | None = Field(
        description="Le détail du frein dans le référentiel des situations."
    )
    sensitive: bool = Field(description="Frein sensible (santé, handicap, justice, addiction).")
    severity: BarrierSeverity
    source: BarrierSource
    comment: str
    identified_on: date
    identified_by: str | None
    identified_by_structure: Ref | None = Field(
        description="Masquée (`id` null) si c'est une structure sensible."
    )
    state: BarrierState
    state_changed_at: datetime
    transitions: list[PathwayTransitionOut]


class PathwayBarrierIn(InputSchema):
    barrier: BarrierCode = Field(description="Code du frein (voir la liste).")  # type: ignore[valid-type]
    situation: Text | None = Field(
        None, max_length=120, description="Code d'une situation active de ce frein (voir /situations)."
    )
    severity: BarrierSeverity = BarrierSeverity.MEDIUM
    source: BarrierSource = BarrierSource.INTERVIEW
    comment: Text = Field("", max_length=2000)
    identified_on: PastDate | None = Field(
        None, description="Date d'identification (aujourd'hui par défaut)."
    )


class PathwayStateIn(InputSchema):
    state: str = Field(max_length=20, description="Nouvel état (voir les transitions permises).")
    reason: Text = Field(
        "", max_length=500, description="Motif (obligatoire pour « non traité » et « annulée »)."
    )
    version: int | None = Field(None, ge=1, le=MAX_ID, description="Version lue ; 409 si elle a changé.")


class PathwayBarrierStateIn(PathwayStateIn):
    state: BarrierState = Field(description="Nouvel état du frein.")  # type: ignore[assignment]


class PathwayObjectiveStateIn(PathwayStateIn):
    state: PlanObjectiveStatus = Field(description="Nouveau statut de l'objectif.")  # type: ignore[assignment]


class PathwayActionStateIn(PathwayStateIn):
    state: PlanActionStatus = Field(description="Nouveau statut de l'action.")  # type: ignore[assignment]


class PathwayActionOut(Schema):
    id: int
    version: int
    objective_id: int
    title: str
    owner_membership: Ref | None
    owner_structure: Ref | None
    due_on: date | None
    status: PlanActionStatus
    overdue: bool
    transitions: list[PathwayTransitionOut]


class PathwayObjectiveOut(Schema):
    id: int
    version: int
    title: str
    status: PlanObjectiveStatus
    barrier_ids: list[int]
    actions: list[PathwayActionOut]
    transitions: list[PathwayTransitionOut]


class PathwayObjectiveIn(InputSchema):
    title: Text = Field(min_length=1, max_length=200)
    barrier_ids: list[Id] = Field(
        default_factory=list, max_length=50, description="Freins de la personne travaillés par cet objectif."
    )


class PathwayActionIn(InputSchema):
    objective_id: int = Field(ge=1, le=MAX_ID)
    title: Text = Field(min_length=1, max_length=200)
    owner_membership_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Membre de la cité qui porte l'action."
    )
    owner_structure_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Structure partenaire qui porte l'action."
    )
    due_on: IsoDate | None = Field(None, description="Échéance.")


class PathwayHandOverIn(InputSchema):
    to_structure_id: int = Field(
        ge=1, le=MAX_ID, description="Nouvelle structure référente, partenaire de la cité."
    )
    to_referent_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Un·e référent·e de cette structure."
    )
    reason: Text = Field(min_length=1, max_length=500)
    consent_given_on: PastDate = Field(
        description="Date du consentement de la personne au passage de relais."
    )
    consent_method: ConsentMethod
    keep_in_followup: bool = Field(False, description="Garder la structure actuelle dans le groupe de suivi.")
    version: int | None = Field(
        None, ge=1, le=MAX_ID, description="Version de la fiche lue ; 409 si elle a changé."
    )


class PathwayHandOverOut(Schema):
    id: int
    at: datetime
    from_structure: Ref
    to_structure: Ref
    from_referent: str | None
    to_referent: str | None
    reason: str
    consent_given_on: date
    consent_method: ConsentMethod
    kept_in_followup: bool


class PathwaySituationOut(Schema):
    code: str
    label: str
    barrier: str
    sensitive: bool
    source: str


class PathwaySituationFilters(Schema):
    barrier: BarrierCode | None = Field(None, description="Seulement les situations de ce frein.")  # type: ignore[valid-type]


# --- Helpers ------------------------------------------------------------------------------------------------


def _transitions(rows: Any) -> list[dict[str, Any]]:
    return [
        {
            "from_state": t.from_state,
            "to_state": t.to_state,
            "reason": t.reason,
            "at": t.at,
            "by": str(t.by) if t.by else None,
        }
        for t in rows
    ]


def _structure_ref(ctx: ActingContext, structure: Any, pathway: queries.Pathway) -> dict[str, Any] | None:
    if structure is None:
        return None
    label = queries.structure_label(ctx, structure, pathway.beneficiary)
    return {"id": structure.pk if label == structure.name else None, "name": label}


def barrier_out(ctx: ActingContext, pathway: queries.Pathway, r: BarrierRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "version": r.version,
        "barrier": {"code": r.barrier, "label": BARRIERS_BY_CODE[r.barrier].label},
        "situation": {"code": r.situation.code, "label": r.situation.label} if r.situation else None,
        "sensitive": r.sensitive,
        "severity": r.severity,
        "source": r.source,
        "comment": r.comment,
        "identified_on": r.identified_on,
        "identified_by": str(r.identified_by) if r.identified_by else None,
        "identified_by_structure": _structure_ref(ctx, r.identified_by_structure, pathway),
        "state": r.state,
        "state_changed_at": r.state_changed_at,
        "transitions": _transitions(r.transitions.all()),
    }


def action_out(ctx: ActingContext, pathway: queries.Pathway, a: PlanAction) -> dict[str, Any]:
    from django.utils import timezone

    m = a.owner_membership
    return {
        "id": a.pk,
        "version": a.version,
        "objective_id": a.objective_id,
        "title": a.title,
        "owner_membership": {"id": m.pk, "name": str(m.user)} if m else None,
        "owner_structure": _structure_ref(ctx, a.owner_structure, pathway),
        "due_on": a.due_on,
        "status": a.status,
        "overdue": a.is_overdue(timezone.localdate()),
        "transitions": _transitions(a.transitions.all()),
    }


def objective_out(ctx: ActingContext, pathway: queries.Pathway, o: Objective) -> dict[str, Any]:
    return {
        "id": o.pk,
        "version": o.version,
        "title": o.title,
        "status": o.status,
        "barrier_ids": [r.pk for r in o.barriers.all()],
        "actions": [action_out(ctx, pathway, a) for a in o.actions.all()],
        "transitions": _transitions(o.transitions.all()),
    }


def _stale(exc: StaleEdit, version: int) -> Conflict:
    return Conflict(str(exc), current_version=version)


# --- Operations ---------------------------------------------------------------------------------------------


@router.get(
    "/situations",
    response={200: list[PathwaySituationOut], **LIST_ERRORS},
    operation_id="situations_list",
    summary="Lister le référentiel des situations",
    description="Les situations actives (détail d'un frein), par frein puis libellé.",
    openapi_extra={"x-citemploi-action": "pathway.view"},
)
def list_situations(request: HttpRequest, filters: Query[PathwaySituationFilters]) -> list[Any]:
    acting(request)
    return list(queries.situations_for(filters.barrier.value if filters.barrier else None))


@router.get(
    "/beneficiaries/{beneficiary_id}/barriers",
    response={200: list[PathwayBarrierOut], **READ_ERRORS},
    operation_id="pathway_barriers_list",
    summary="Lister les freins d'une personne",
    description="Le diagnostic de la personne. Les freins sensibles (santé, handicap, justice, addiction) ne "
    "figurent que pour son·sa référent·e responsable. La consultation est journalisée.",
    openapi_extra={"x-citemploi-action": "pathway.view"},
)
def list_barriers(request: HttpRequest, beneficiary_id: BeneficiaryId) -> list[dict]:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, beneficiary_id)
    records = list(queries.barriers_of(pathway).prefetch_related("transitions__by"))
    queries.log_sensitive_read(ctx, pathway, records)
    return [barrier_out(ctx, pathway, r) for r in records]


@router.post(
    "/beneficiaries/{beneficiary_id}/barriers",
    response={201: PathwayBarrierOut, **WRITE_ERRORS},
    operation_id="pathway_barriers_create",
    summary="Ajouter un frein au diagnostic",
    description="Le frein est identifié par vous, pour votre structure. Un frein sensible ne peut être "
    "enregistré que par le·la référent·e responsable (403 sinon).",
    openapi_extra={"x-citemploi-action": "pathway.edit"},
)
def create_barrier(request: HttpRequest, beneficiary_id: BeneficiaryId, payload: PathwayBarrierIn) -> Status:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, beneficiary_id, "pathway.edit", log_read=False)
    situation = None
    if payload.situation:
        situation = queries.situations_for(payload.barrier.value).filter(code=payload.situation).first()
        if situation is None:
            raise BadInput(["body", "situation"], "Situation inconnue ou inactive pour ce frein.")
    record = services.add_barrier(
        ctx=ctx,
        beneficiary=pathway.beneficiary,
        barrier=payload.barrier.value,
        situation=situation,
        severity=payload.severity.value,
        source=payload.source.value,
        comment=payload.comment,
        identified_on=payload.identified_on,
    )
    pathway = queries.Pathway(pathway.beneficiary, pathway.sees_sensitive or record.sensitive)
    return Status(201, barrier_out(ctx, pathway, record))


@router.post(
    "/beneficiaries/{beneficiary_id}/barriers/{barrier_id}/state",
    response={200: PathwayBarrierOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="pathway_barriers_state",
    summary="Changer l'état d'un frein",
    description="identifié → action engagée → levé / persistant / non traité (motif obligatoire) ; un frein "
    "levé qui revient redevient identifié. Chaque changement est tracé (qui, quand, de, vers, motif).",
    openapi_extra={"x-citemploi-action": "pathway.edit"},
)
def change_barrier_state(
    request: HttpRequest, beneficiary_id: BeneficiaryId, barrier_id: BarrierId, payload: PathwayBarrierStateIn
) -> dict:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, beneficiary_id, "pathway.edit", log_read=False)
    record = queries.access_barrier_for(pathway, barrier_id)
    try:
        record = services.transition_barrier(
            ctx=ctx,
            record=record,
            to_state=payload.state.value,
            reason=payload.reason,
            expected_version=payload.version,
        )
    except StaleEdit as exc:
        raise _stale(exc, queries.access_barrier_for(pathway, barrier_id).version) from exc
    return barrier_out(
        ctx, pathway, queries.barriers_of(pathway).prefetch_related("transitions__by").get(pk=record.pk)
    )


@router.get(
    "/beneficiaries/{beneficiary_id}/plan",
    response={200: list[PathwayObjectiveOut], **READ_ERRORS},
    operation_id="pathway_plan_read",
    summary="Lire le plan d'action d'une personne",
    description="Les objectifs, leurs freins liés et leurs actions (porteur, échéance, statut, retard).",
    openapi_extra={"x-citemploi-action": "pathway.view"},
)
def read_plan(request: HttpRequest, beneficiary_id: BeneficiaryId) -> list[dict]:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, beneficiary_id)
    objectives = queries.objectives_of(pathway).prefetch_related(
        "transitions__by", "actions__transitions__by"
    )
    return [objective_out(ctx, pathway, o) for o in objectives]


@router.post(
    "/beneficiaries/{beneficiary_id}/objectives",
    response={201: PathwayObjectiveOut, **WRITE_ERRORS},
    operation_id="pathway_objectives_create",
    summary="Ajouter un objectif au plan",
    openapi_extra={"x-citemploi-action": "pathway.edit"},
)
def create_objective(
    request: HttpRequest, beneficiary_id: BeneficiaryId, payload: PathwayObjectiveIn
) -> Status:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, beneficiary_id, "pathway.edit", log_read=False)
    wanted = set(payload.barrier_ids)
    barriers = list(queries.barriers_of(pathway).filter(pk__in=wanted)) if wanted else []
    if len(barriers) != len(wanted):
        raise BadInput(["body", "barrier_ids"], "Frein inconnu pour cette personne.")
    objective = services.add_objective(
        ctx=ctx, beneficiary=pathway.beneficiary, title=payload.title, barriers=barriers
    )
    return Status(201, objective_out(ctx, pathway, queries.objectives_of(pathway).get(pk=objective.pk)))


@router.post(
    "/beneficiaries/{beneficiary_id}/objectives/{objective_id}/state",
    response={200: PathwayObjectiveOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="pathway_objectives_state",
    summary="Changer le statut d'un objectif",
    description="en cours → atteint / abandonné ; un objectif atteint ou abandonné peut être rouvert.",
    openapi_extra={"x-citemploi-action": "pathway.edit"},
)
def change_objective_state(
    request: HttpRequest,
    beneficiary_id: BeneficiaryId,
    objective_id: ObjectiveId,
    payload: PathwayObjectiveStateIn,
) -> dict:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, beneficiary_id, "pathway.edit", log_read=False)
    objective = queries.access_objective_for(pathway, objective_id)
    try:
        services.transition_objective(
            ctx=ctx,
            objective=objective,
            to_status=payload.state.value,
            reason=payload.reason,
            expected_version=payload.version,
        )
    except StaleEdit as exc:
        raise _stale(exc, queries.access_objective_for(pathway, objective_id).version) from exc
    return objective_out(ctx, pathway, queries.objectives_of(pathway).get(pk=objective.pk))


@router.post(
    "/beneficiaries/{beneficiary_id}/actions",
    response={201: PathwayActionOut, **WRITE_ERRORS},
    operation_id="pathway_actions_create",
    summary="Ajouter une action au plan",
    description="L'action se rattache à un objectif en cours ; son porteur est un membre de la cité et/ou une "
    "structure partenaire. Les freins de l'objectif en attente d'action passent à « action engagée ».",
    openapi_extra={"x-citemploi-action": "pathway.edit"},
)
def create_action(request: HttpRequest, beneficiary_id: BeneficiaryId, payload: PathwayActionIn) -> Status:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, beneficiary_id, "pathway.edit", log_read=False)
    objective = queries.objectives_of(pathway).filter(pk=payload.objective_id).first()
    if objective is None:
        raise BadInput(["body", "objective_id"], "Objectif inconnu pour cette personne.")
    membership = None
    if payload.owner_membership_id is not None:
        membership = Membership.objects.filter(
            pk=payload.owner_membership_id, cite_id=ctx.cite_id, is_active=True
        ).first()
        if membership is None:
            raise BadInput(["body", "owner_membership_id"], "Ce membre n'appartient pas à la cité.")
    structure = None
    if payload.owner_structure_id is not None:
        structure = partner_queries.structures_for(ctx).filter(pk=payload.owner_structure_id).first()
        if structure is None:
            raise BadInput(["body", "owner_structure_id"], "Cette structure n'est pas partenaire de la cité.")
    action = services.add_action(
        ctx=ctx,
        objective=objective,
        title=payload.title,
        owner_membership=membership,
        owner_structure=structure,
        due_on=payload.due_on,
    )
    return Status(201, action_out(ctx, pathway, queries.actions_of(pathway).get(pk=action.pk)))


@router.post(
    "/beneficiaries/{beneficiary_id}/actions/{action_id}/state",
    response={200: PathwayActionOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="pathway_actions_state",
    summary="Changer le statut d'une action",
    description="à faire → en cours → faite, ou annulée (motif obligatoire).",
    openapi_extra={"x-citemploi-action": "pathway.edit"},
)
def change_action_state(
    request: HttpRequest, beneficiary_id: BeneficiaryId, action_id: ActionId, payload: PathwayActionStateIn
) -> dict:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, beneficiary_id, "pathway.edit", log_read=False)
    action = queries.access_action_for(pathway, action_id)
    try:
        services.transition_action(
            ctx=ctx,
            action=action,
            to_status=payload.state.value,
            reason=payload.reason,
            expected_version=payload.version,
        )
    except StaleEdit as exc:
        raise _stale(exc, queries.access_action_for(pathway, action_id).version) from exc
    return action_out(ctx, pathway, queries.actions_of(pathway).get(pk=action.pk))


def handover_out(ctx: ActingContext, pathway: queries.Pathway, row: queries.HandOverRow) -> dict[str, Any]:
    h = row.handover
    return {
        "id": h.pk,
        "at": h.at,
        "from_structure": {
            "id": h.from_structure_id if row.from_label == h.from_structure.name else None,
            "name": row.from_label,
        },
        "to_structure": {
            "id": h.to_structure_id if row.to_label == h.to_structure.name else None,
            "name": row.to_label,
        },
        "from_referent": str(h.from_referent) if h.from_referent else None,
        "to_referent": str(h.to_referent) if h.to_referent else None,
        "reason": h.reason,
        "consent_given_on": h.consent_given_on,
        "consent_method": h.consent_method,
        "kept_in_followup": h.kept_in_followup,
    }


@router.get(
    "/beneficiaries/{beneficiary_id}/handovers",
    response={200: list[PathwayHandOverOut], **READ_ERRORS},
    operation_id="pathway_handovers_list",
    summary="Lister les passages de relais d'une personne",
    openapi_extra={"x-citemploi-action": "pathway.view"},
)
def list_handovers(request: HttpRequest, beneficiary_id: BeneficiaryId) -> list[dict]:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, beneficiary_id)
    return [handover_out(ctx, pathway, row) for row in queries.handovers_of(ctx, pathway)]


@router.post(
    "/beneficiaries/{beneficiary_id}/handover",
    response={201: PathwayHandOverOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="pathway_handover",
    summary="Passer le relais à une autre structure ou un·e autre référent·e",
    description="Le consentement de la personne (date, mode de recueil) et un motif sont obligatoires. La "
    "structure actuelle perd l'accès à la fiche, sauf si elle reste dans le groupe de suivi "
    "(`keep_in_followup`) et tant que la personne consent au partage.",
    openapi_extra={"x-citemploi-action": "pathway.handover"},
)
def hand_over(request: HttpRequest, beneficiary_id: BeneficiaryId, payload: PathwayHandOverIn) -> Status:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, beneficiary_id, "pathway.handover", log_read=False)
    structure = partner_queries.structures_for(ctx).filter(pk=payload.to_structure_id).first()
    if structure is None:
        raise BadInput(["body", "to_structure_id"], "Cette structure n'est pas partenaire de la cité.")
    referent = None
    if payload.to_referent_id is not None:
        referent = User.objects.filter(
            pk=payload.to_referent_id,
            is_active=True,
            memberships__structure=structure,
            memberships__role=Role.REFERENT,
            memberships__is_active=True,
        ).first()
        if referent is None:
            raise BadInput(
                ["body", "to_referent_id"], "Cette personne n'est pas référente de la structure choisie."
            )
    try:
        handover = services.hand_over(
            ctx=ctx,
            beneficiary=pathway.beneficiary,
            to_structure=structure,
            to_referent=referent,
            reason=payload.reason,
            consent_given_on=payload.consent_given_on,
            consent_method=payload.consent_method.value,
            keep_in_followup=payload.keep_in_followup,
            expected_version=payload.version,
        )
    except StaleEdit as exc:
        raise Conflict(str(exc)) from exc
    row = queries.HandOverRow(handover, structure.name, structure.name)
    from_label = queries.structure_label(ctx, handover.from_structure, pathway.beneficiary)
    return Status(201, handover_out(ctx, pathway, queries.HandOverRow(handover, from_label, row.to_label)))
