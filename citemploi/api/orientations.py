"""Closed-loop orientations: the sending structure orients a person to a service of another structure, the
receiving structure answers. The receiving structure reads only the information shared at sending.

Reads go through citemploi.orientations.queries (scoped, audited), writes through
citemploi.orientations.services. Absent and out-of-reach orientations both answer 404; a transition that the
current state does not allow (or an answer that came second) answers 409.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
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
    InputSchema,
    PageOut,
    PageParams,
    Ref,
    Text,
    page,
)
from citemploi.core.context import ActingContext
from citemploi.offer import queries as offer_queries
from citemploi.orientations import queries, services
from citemploi.orientations.enums import Channel, RefusalReason, SharedGroup
from citemploi.orientations.enums import Status as OrientationStatus
from citemploi.orientations.machine import TransitionRefused
from citemploi.orientations.models import Orientation
from citemploi.people import queries as people_queries

router = PolicyRouter(tags=["Orientations en boucle fermée"])

OrientationId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de l'orientation.", example=1)]


# --- Schemas ------------------------------------------------------------------------------------------------


class SharedRow(Schema):
    group: SharedGroup
    label: str = Field(examples=["Prénom"])
    value: str = Field(examples=["Awa"])


class TransitionOut(Schema):
    at: datetime
    source: OrientationStatus | None = Field(description="État de départ ; `null` pour l'envoi.")
    target: OrientationStatus
    actor: str = Field(description="Qui : une personne, « lien à usage unique » ou « tâche automatique ».")
    channel: Channel
    reason: str


class OrientationOut(Schema):
    id: int
    status: OrientationStatus
    person_name: str = Field(description="Nom de la personne, tel que partagé à l'envoi.")
    beneficiary_id: int | None = Field(
        description="Fiche de la personne, donnée seulement si votre rôle permet de l'ouvrir."
    )
    service: Ref = Field(description="Service destinataire (`id` null s'il a été supprimé).")
    sender_structure: Ref = Field(
        description="Structure qui oriente ; une structure sensible est masquée (`id` null, « Un partenaire "
        "de la cité »)."
    )
    receiving_structure: Ref
    sent_at: datetime
    deadline: datetime = Field(description="Sans réponse à cette date, l'orientation expire.")
    answered_at: datetime | None
    refusal_reason: RefusalReason | None
    refusal_details: str
    outcome: str
    version: int


class OrientationDetailOut(OrientationOut):
    message: str
    shared: list[SharedRow] | None = Field(
        description="Informations partagées à l'envoi ; `null` quand la personne a retiré son consentement "
        "au partage (pour la structure destinataire)."
    )
    history: list[TransitionOut]


class OrientationPage(PageOut):
    results: list[OrientationOut]


class OrientationFilters(PageParams):
    box: Literal["sent", "received", "all"] = Field(
        "all",
        description="`sent` : envoyées par votre structure ; `received` : reçues par votre structure ; `all` : "
        "toutes celles que votre rôle permet de voir.",
    )
    status: Annotated[OrientationStatus | None, EmptyAsNone] = Field(None, description="État.")


class OrientationCreateIn(InputSchema):
    beneficiary: int = Field(ge=1, le=MAX_ID, description="Identifiant de la personne orientée.")
    service: int = Field(
        ge=1, le=MAX_ID, description="Identifiant du service d'une autre structure de la cité."
    )
    message: Text = Field(min_length=1, max_length=4000, description="Motif de l'orientation.")
    shared_groups: list[SharedGroup] = Field(
        default_factory=list,
        max_length=20,
        description="Informations complémentaires partagées ; l'identité et les coordonnées le sont toujours.",
    )


class OrientationWithdrawIn(InputSchema):
    reason: Text = Field("", max_length=4000, description="Motif du retrait.")
    expected_status: OrientationStatus | None = Field(
        None, description="État lu avant l'action : si l'orientation a changé depuis, la réponse est 409."
    )


class AnswerIn(InputSchema):
    decision: Literal["accepted", "refused", "started", "completed", "abandoned"] = Field(
        description="accepted : accepter ; refused : refuser (motif obligatoire) ; started : l'accompagnement a "
        "commencé ; completed : il est terminé (résultat obligatoire) ; abandoned : abandon (précisions "
        "obligatoires)."
    )
    refusal_reason: RefusalReason | None = Field(
        None, description="Motif du refus (obligatoire pour refused)."
    )
    details: Text = Field("", max_length=4000, description="Précisions (refus « other », abandon).")
    outcome: Text = Field("", max_length=4000, description="Résultat (obligatoire pour completed).")
    expected_status: OrientationStatus | None = Field(
        None, description="État lu avant l'action : si l'orientation a changé depuis, la réponse est 409."
    )


# --- Helpers ------------------------------------------------------------------------------------------------


def _sender_ref(ctx: ActingContext, o: Orientation) -> dict[str, Any]:
    label = queries.sender_label(ctx, o)
    visible = label not in (queries.MASKED_SENDER_LABEL, queries.COORDINATION_LABEL)
    return {"id": o.sender_structure_id if visible else None, "name": label}


def orientation_out(ctx: ActingContext, o: Orientation, openable: set[int]) -> dict[str, Any]:
    return {
        "id": o.pk,
        "status": o.status,
        "person_name": o.person_name,
        "beneficiary_id": o.beneficiary_id if o.beneficiary_id in openable else None,
        "service": {"id": o.service_id, "name": o.service_name},
        "sender_structure": _sender_ref(ctx, o),
        "receiving_structure": {"id": o.receiving_structure_id, "name": o.receiving_structure.name},
        "sent_at": o.sent_at,
        "deadline": o.deadline,
        "answered_at": o.answered_at,
        "refusal_reason": o.refusal_reason or None,
        "refusal_details": o.refusal_details,
        "outcome": o.outcome,
        "version": o.version,
    }


def orientation_detail_out(ctx: ActingContext, o: Orientation) -> dict[str, Any]:
    masked = queries.sender_label(ctx, o) == queries.MASKED_SENDER_LABEL
    history = [
        {
            "at": t.at,
            "source": t.source or None,
            "target": t.target,
            "actor": queries.MASKED_SENDER_LABEL
            if masked and t.actor_structure_id == o.sender_structure_id
            else t.actor_label,
            "channel": t.channel,
            "reason": t.reason,
        }
        for t in o.transitions.all()
    ]
    return {
        **orientation_out(ctx, o, queries.with_people_flags(ctx, [o])),
        "message": o.message,
        "shared": queries.shared_rows(ctx, o),
        "history": history,
    }


def _conflict(exc: Exception) -> Conflict:
    return Conflict(str(exc))


# --- Operations -----------------------------------------------------------------------------------------------


@router.get(
    "/orientations",
    response={200: OrientationPage, **LIST_ERRORS},
    operation_id="orientations_list",
    summary="Lister les orientations envoyées ou reçues",
    description="Les plus récentes d'abord. La structure destinataire ne voit que le nom partagé à l'envoi. "
    "Chaque consultation est journalisée.",
    openapi_extra={"x-citemploi-action": "orientation.view"},
)
def list_orientations(request: HttpRequest, filters: Query[OrientationFilters]) -> dict:
    ctx = acting(request)
    qs = queries.list_rows(ctx, filters.box, filters.status or "")
    rows, pagination = page(qs, filters)
    queries.log_list(ctx, rows, filters={"box": filters.box, "status": filters.status or ""})
    openable = queries.with_people_flags(ctx, rows)
    return {**pagination, "results": [orientation_out(ctx, o, openable) for o in rows]}


@router.get(
    "/orientations/{orientation_id}",
    response={200: OrientationDetailOut, **READ_ERRORS},
    operation_id="orientations_read",
    summary="Lire une orientation, les informations partagées et son historique",
    description="La consultation est journalisée.",
    openapi_extra={"x-citemploi-action": "orientation.view"},
)
def read_orientation(request: HttpRequest, orientation_id: OrientationId) -> dict:
    ctx = acting(request)
    return orientation_detail_out(ctx, queries.access_orientation_for(ctx, orientation_id))


@router.post(
    "/orientations",
    response={201: OrientationDetailOut, **WRITE_ERRORS},
    operation_id="orientations_create",
    summary="Orienter une personne vers un service d'une autre structure",
    description="Réservé à la structure référente de la personne (et à la coordination). La personne doit avoir "
    "consenti au partage avec les partenaires. L'échéance suit le délai de réponse de la cité ; la structure "
    "destinataire est prévenue par e-mail (ou reçoit un lien de réponse à usage unique).",
    openapi_extra={"x-citemploi-action": "orientation.send"},
)
def create_orientation(request: HttpRequest, payload: OrientationCreateIn) -> Status:
    ctx = acting(request)
    beneficiary = (
        people_queries.beneficiaries_for(ctx, "orientation.send").filter(pk=payload.beneficiary).first()
    )
    if beneficiary is None:
        raise BadInput(
            ["body", "beneficiary"], "Personne introuvable, ou que votre structure ne peut pas orienter."
        )
    service = offer_queries.services_for(ctx).select_related("structure").filter(pk=payload.service).first()
    if service is None:
        raise BadInput(["body", "service"], "Service introuvable parmi ceux des partenaires de la cité.")
    sent = services.send_orientation(
        ctx=ctx,
        beneficiary=beneficiary,
        service=service,
        message=payload.message,
        shared_groups=[str(g) for g in payload.shared_groups],
    )
    # The answer shows the shared snapshot: that read is audited like any other.
    o = queries.access_orientation_for(ctx, sent.orientation.pk)
    return Status(201, orientation_detail_out(ctx, o))


@router.post(
    "/orientations/{orientation_id}/withdraw",
    response={200: OrientationDetailOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="orientations_withdraw",
    summary="Retirer une orientation en attente de réponse",
    description="Par la structure qui l'a envoyée. 409 si l'orientation n'est plus en attente.",
    openapi_extra={"x-citemploi-action": "orientation.send"},
)
def withdraw_orientation(
    request: HttpRequest, orientation_id: OrientationId, payload: OrientationWithdrawIn
) -> dict:
    ctx = acting(request)
    o = queries.access_orientation_for(ctx, orientation_id, log_read=False)
    try:
        services.withdraw(
            ctx=ctx,
            orientation=o,
            reason=payload.reason,
            expected_status=payload.expected_status,
        )
    except TransitionRefused as exc:
        raise _conflict(exc) from None
    return orientation_detail_out(ctx, queries.access_orientation_for(ctx, o.pk))


@router.post(
    "/orientations/{orientation_id}/answer",
    response={200: OrientationDetailOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="orientations_answer",
    summary="Répondre à une orientation reçue",
    description="Par la structure destinataire : accepter ou refuser (motif de la liste) une orientation en "
    "attente, puis indiquer le début de l'accompagnement, sa fin (avec le résultat) ou un abandon. L'émetteur est "
    "prévenu par e-mail. 409 si l'état actuel ne permet pas ce passage (par exemple : une autre réponse est "
    "arrivée avant).",
    openapi_extra={"x-citemploi-action": "orientation.answer"},
)
def answer_orientation(request: HttpRequest, orientation_id: OrientationId, payload: AnswerIn) -> dict:
    ctx = acting(request)
    o = queries.access_orientation_for(ctx, orientation_id, log_read=False)
    try:
        services.answer(
            ctx=ctx,
            orientation=o,
            target=payload.decision,
            refusal_reason=payload.refusal_reason or "",
            details=payload.details,
            outcome=payload.outcome,
            expected_status=payload.expected_status,
        )
    except TransitionRefused as exc:
        raise _conflict(exc) from None
    return orientation_detail_out(ctx, queries.access_orientation_for(ctx, o.pk))
