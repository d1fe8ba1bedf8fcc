"""The follow-up group of a person: the partner structures that follow them with the responsible structure.

A member structure sees the person's file only while the person's consent to sharing is active. Sensitive
structures are left out of the list for those who must not know that the person is followed there.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import P, PathEx, Schema, Status
from pydantic import Field

from citemploi.accounts.models import User
from citemploi.api.base import PolicyRouter, acting
from citemploi.api.beneficiaries import BeneficiaryId
from citemploi.api.errors import BadInput
from citemploi.api.schemas import MAX_ID, READ_ERRORS, WRITE_ERRORS, InputSchema, Ref, Text
from citemploi.core.access import not_found
from citemploi.partners import queries as partner_queries
from citemploi.people import queries, services

router = PolicyRouter(tags=["Groupe de suivi"])

MemberId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant du membre du groupe de suivi.", example=1)]


class FollowUpMemberOut(Schema):
    id: int
    structure: Ref
    user: Ref | None = Field(description="La personne de la structure qui suit, si elle est désignée.")
    role: str = Field(description="Rôle dans le suivi.")
    added_at: datetime


class FollowUpIn(InputSchema):
    structure_id: int = Field(ge=1, le=MAX_ID, description="Structure partenaire de la cité.")
    role: Text = Field(
        "", max_length=150, description="Rôle dans le suivi.", examples=["Levée des freins mobilité"]
    )
    user_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Une personne membre de cette structure (facultatif)."
    )


def member_out(member: Any, structure_label: str) -> dict[str, Any]:
    return {
        "id": member.pk,
        "structure": {"id": member.structure_id, "name": structure_label},
        "user": {"id": member.user.pk, "name": str(member.user)} if member.user else None,
        "role": member.role,
        "added_at": member.added_at,
    }


@router.get(
    "/beneficiaries/{beneficiary_id}/followup",
    response={200: list[FollowUpMemberOut], **READ_ERRORS},
    operation_id="followup_list",
    summary="Lister le groupe de suivi",
    description="Les structures qui suivent la personne avec la structure référente. La consultation de la "
    "fiche est journalisée.",
    openapi_extra={"x-citemploi-action": "beneficiary.view"},
)
def list_followup(request: HttpRequest, beneficiary_id: BeneficiaryId) -> list[dict]:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, beneficiary_id)
    return [member_out(row.member, row.structure_label) for row in queries.followup_group_for(ctx, b)]


@router.post(
    "/beneficiaries/{beneficiary_id}/followup",
    response={201: FollowUpMemberOut, **WRITE_ERRORS},
    operation_id="followup_add",
    summary="Ajouter une structure au groupe de suivi",
    description="La structure ajoutée ne voit la fiche que si la personne a consenti au partage (`sharing`).",
    openapi_extra={"x-citemploi-action": "beneficiary.followup_group"},
)
def add_followup(request: HttpRequest, beneficiary_id: BeneficiaryId, payload: FollowUpIn) -> Status:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, beneficiary_id, "beneficiary.followup_group", log_read=False)
    structure = partner_queries.structures_for(ctx).filter(pk=payload.structure_id).first()
    if structure is None:
        raise BadInput(["body", "structure_id"], "Cette structure n'est pas partenaire de la cité.")
    user = None
    if payload.user_id is not None:
        user = User.objects.filter(
            pk=payload.user_id, is_active=True, memberships__structure=structure, memberships__is_active=True
        ).first()
        if user is None:
            raise BadInput(["body", "user_id"], "Cette personne n'est pas membre de la structure choisie.")
    member = services.add_followup_member(
        ctx=ctx, beneficiary=b, structure=structure, role=payload.role, user=user
    )
    return Status(201, member_out(member, structure.name))


@router.delete(
    "/beneficiaries/{beneficiary_id}/followup/{member_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="followup_end",
    summary="Retirer une structure du groupe de suivi",
    description="Met fin au suivi par cette structure (l'historique est conservé).",
    openapi_extra={"x-citemploi-action": "beneficiary.followup_group"},
)
def end_followup(request: HttpRequest, beneficiary_id: BeneficiaryId, member_id: MemberId) -> Status:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, beneficiary_id, "beneficiary.followup_group", log_read=False)
    row = next((r for r in queries.followup_group_for(ctx, b) if r.member.pk == member_id), None)
    if row is None:
        raise not_found()
    services.end_followup_member(ctx=ctx, member=row.member)
    return Status(204, None)
