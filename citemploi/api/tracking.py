"""The journal of a person's pathway, outcomes (sorties) and their 3/6/12-month follow-up checks.

Reads go through citemploi.tracking.queries, writes through citemploi.tracking.services. A private note is
returned to its author only (`private_note` is `null` for everyone else). Text that looks like sensitive data
(health, justice, religion…) is refused with a 422 (type `sensitive_data`) until `confirm_sensitive` is true.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import P, PathEx, Query, Schema, Status
from pydantic import Field

from citemploi.api.base import PolicyRouter, acting
from citemploi.api.beneficiaries import BeneficiaryId
from citemploi.api.errors import BadInput
from citemploi.api.schemas import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    PageOut,
    PageParams,
    PastDate,
    Ref,
    Text,
    page,
)
from citemploi.core.context import ActingContext
from citemploi.people import queries as people_queries
from citemploi.tracking import queries, services
from citemploi.tracking.enums import CheckSituation, ContractType, EntryKind, OutcomeType

router = PolicyRouter(tags=["Suivi : journal, sorties et maintien dans l'emploi"])

CheckId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant du point de suivi.", example=1)]


# --- Journal ------------------------------------------------------------------------------------------------


class EntryOut(Schema):
    id: int
    kind: EntryKind
    occurred_on: date
    text: str
    private_note: str | None = Field(
        description="Votre note privée ; `null` pour les entrées d'autres auteur·rices (jamais communiquée)."
    )
    author: Ref
    structure: Ref | None
    corrects_id: int | None = Field(description="L'entrée que celle-ci corrige, le cas échéant.")
    version: int
    created_at: datetime


class EntryPageOut(PageOut):
    results: list[EntryOut]


class EntryIn(InputSchema):
    kind: EntryKind
    occurred_on: PastDate = Field(
        description="Date du contact ou de l'étape (AAAA-MM-JJ, pas dans le futur)."
    )
    text: Text = Field(min_length=1, max_length=5000, description="Compte rendu, sans donnée sensible.")
    private_note: Text = Field("", max_length=2000, description="Note visible par vous seul·e.")
    corrects_id: int | None = Field(None, ge=1, le=MAX_ID, description="L'entrée du même journal corrigée.")
    confirm_sensitive: bool = Field(
        False,
        description="Confirme l'enregistrement d'un texte signalé comme contenant des données sensibles.",
    )


def entry_out(ctx: ActingContext, e: Any) -> dict[str, Any]:
    own = e.author_id == ctx.user.pk
    return {
        "id": e.pk,
        "kind": e.kind,
        "occurred_on": e.occurred_on,
        "text": e.text,
        "private_note": e.own_note if own else None,
        "author": {"id": e.author_id, "name": str(e.author)},
        "structure": {"id": e.structure_id, "name": e.structure.name} if e.structure else None,
        "corrects_id": e.corrects_id,
        "version": e.version,
        "created_at": e.created_at,
    }


@router.get(
    "/beneficiaries/{beneficiary_id}/journal",
    response={200: EntryPageOut, **READ_ERRORS},
    operation_id="journal_list",
    summary="Lister le journal d'une personne",
    description="Les entrées du plus récent au plus ancien. La consultation est journalisée.",
    openapi_extra={"x-citemploi-action": "journal.view"},
)
def list_journal(request: HttpRequest, beneficiary_id: BeneficiaryId, params: Query[PageParams]) -> dict:
    ctx = acting(request)
    b = queries.access_journal_for(ctx, beneficiary_id)
    rows, meta = page(queries.entries_for(ctx, b), params)
    return {**meta, "results": [entry_out(ctx, e) for e in rows]}


@router.post(
    "/beneficiaries/{beneficiary_id}/journal",
    response={201: EntryOut, **WRITE_ERRORS},
    operation_id="journal_create",
    summary="Ajouter une entrée au journal",
    description="L'auteur·rice est l'utilisateur·rice du jeton, la structure celle du jeton. Un texte qui "
    "semble contenir des données sensibles est refusé (422, type `sensitive_data`) sauf avec "
    "`confirm_sensitive`: true.",
    openapi_extra={"x-citemploi-action": "journal.write"},
)
def create_entry(request: HttpRequest, beneficiary_id: BeneficiaryId, payload: EntryIn) -> Status:
    ctx = acting(request)
    b = queries.access_journal_for(ctx, beneficiary_id, "journal.write")
    corrects = None
    if payload.corrects_id is not None:
        corrects = queries.entries_for(ctx, b).filter(pk=payload.corrects_id).first()
        if corrects is None:
            raise BadInput(["body", "corrects_id"], "Cette entrée n'existe pas dans ce journal.")
    entry = services.write_entry(
        ctx=ctx,
        beneficiary=b,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        text=payload.text,
        private_note=payload.private_note,
        corrects=corrects,
        confirm_sensitive=payload.confirm_sensitive,
    )
    return Status(201, entry_out(ctx, queries.entries_for(ctx, b).get(pk=entry.pk)))


# --- Outcomes and checks ------------------------------------------------------------------------------------


class CheckOut(Schema):
    id: int
    months: int = Field(description="Échéance : 3, 6 ou 12 mois après la sortie.")
    due_on: date
    recorded_on: date | None = Field(description="`null` : pas encore enregistré.")
    situation: CheckSituation | None
    still_in_job_or_training: bool | None
    comment: str


class OutcomeOut(Schema):
    id: int
    type: OutcomeType
    outcome_on: date
    employer: str
    contract_type: ContractType | None
    contract_months: int | None
    weekly_hours: Decimal | None
    recorded_by: Ref
    checks: list[CheckOut] = Field(description="Points de suivi (sorties en emploi ou en formation).")


class OutcomeIn(InputSchema):
    type: OutcomeType
    outcome_on: PastDate
    employer: Text = Field("", max_length=200, description="Employeur ou organisme de formation.")
    contract_type: ContractType | None = None
    contract_months: int | None = Field(None, ge=1, le=120)
    weekly_hours: Decimal | None = Field(None, gt=0, le=48, max_digits=4, decimal_places=1)


def check_out(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "months": c.months,
        "due_on": c.due_on,
        "recorded_on": c.recorded_on,
        "situation": c.situation or None,
        "still_in_job_or_training": c.still_in_job_or_training,
        "comment": c.comment,
    }


def outcome_out(o: Any) -> dict[str, Any]:
    return {
        "id": o.pk,
        "type": o.type,
        "outcome_on": o.outcome_on,
        "employer": o.employer,
        "contract_type": o.contract_type or None,
        "contract_months": o.contract_months,
        "weekly_hours": o.weekly_hours,
        "recorded_by": {"id": o.recorded_by_id, "name": str(o.recorded_by)},
        "checks": [check_out(c) for c in o.checks.all()],
    }


@router.get(
    "/beneficiaries/{beneficiary_id}/outcomes",
    response={200: list[OutcomeOut], **READ_ERRORS},
    operation_id="outcome_list",
    summary="Lister les sorties d'une personne",
    description="Avec leurs points de suivi à 3, 6 et 12 mois.",
    openapi_extra={"x-citemploi-action": "outcome.view"},
)
def list_outcomes(request: HttpRequest, beneficiary_id: BeneficiaryId) -> list[dict]:
    ctx = acting(request)
    b = people_queries.access_beneficiary_for(ctx, beneficiary_id, "outcome.view")
    return [outcome_out(o) for o in queries.outcomes_for(b)]


@router.post(
    "/beneficiaries/{beneficiary_id}/outcomes",
    response={201: OutcomeOut, **WRITE_ERRORS},
    operation_id="outcome_create",
    summary="Enregistrer une sortie",
    description="Une sortie en emploi ou en formation crée ses points de suivi à 3, 6 et 12 mois.",
    openapi_extra={"x-citemploi-action": "outcome.record"},
)
def create_outcome(request: HttpRequest, beneficiary_id: BeneficiaryId, payload: OutcomeIn) -> Status:
    ctx = acting(request)
    b = people_queries.access_beneficiary_for(ctx, beneficiary_id, "outcome.record", log_read=False)
    outcome = services.record_outcome(
        ctx=ctx,
        beneficiary=b,
        type=payload.type,
        outcome_on=payload.outcome_on,
        employer=payload.employer,
        contract_type=payload.contract_type or "",
        contract_months=payload.contract_months,
        weekly_hours=payload.weekly_hours,
    )
    return Status(201, outcome_out(queries.outcomes_for(b).get(pk=outcome.pk)))


class DueCheckOut(CheckOut):
    beneficiary: Ref
    outcome_id: int
    outcome_type: OutcomeType
    outcome_on: date


class DueCheckPageOut(PageOut):
    results: list[DueCheckOut]


@router.get(
    "/followup-checks/due",
    response={200: DueCheckPageOut, **LIST_ERRORS},
    operation_id="followup_check_due",
    summary="Lister les points de suivi à faire",
    description="Les points arrivés à échéance et non enregistrés, des personnes dont vous pouvez "
    "enregistrer les sorties.",
    openapi_extra={"x-citemploi-action": "outcome.record"},
)
def list_due_checks(request: HttpRequest, params: Query[PageParams]) -> dict:
    ctx = acting(request)
    rows, meta = page(queries.checks_due_for(ctx), params)
    people_queries.log_list(
        ctx, list({c.outcome.beneficiary_id: c.outcome.beneficiary for c in rows}.values()), purpose="list"
    )
    results = [
        check_out(c)
        | {
            "beneficiary": {"id": c.outcome.beneficiary_id, "name": str(c.outcome.beneficiary)},
            "outcome_id": c.outcome_id,
            "outcome_type": c.outcome.type,
            "outcome_on": c.outcome.outcome_on,
        }
        for c in rows
    ]
    return {**meta, "results": results}


class CheckIn(InputSchema):
    situation: CheckSituation
    recorded_on: PastDate | None = Field(None, description="Date du point ; aujourd'hui par défaut.")
    comment: Text = Field("", max_length=2000)
    confirm_sensitive: bool = False


@router.post(
    "/followup-checks/{check_id}",
    response={200: CheckOut, **WRITE_ERRORS},
    operation_id="followup_check_record",
    summary="Enregistrer un point de suivi",
    description="La situation de la personne au point (toujours en emploi ou en formation, ou non). Un point "
    "s'enregistre une fois, à partir de son échéance.",
    openapi_extra={"x-citemploi-action": "outcome.record"},
)
def record_check(request: HttpRequest, check_id: CheckId, payload: CheckIn) -> dict:
    ctx = acting(request)
    check = queries.access_check_for(ctx, check_id)
    recorded = services.record_check(
        ctx=ctx,
        check=check,
        situation=payload.situation,
        recorded_on=payload.recorded_on,
        comment=payload.comment,
        confirm_sensitive=payload.confirm_sensitive,
    )
    return check_out(recorded)
