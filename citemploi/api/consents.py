"""Consents of a person: list, record, withdraw. Withdrawing the consent to sharing stops the access of the
follow-up group at once (citemploi.people.queries reads the active consent on every access)."""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Body, P, PathEx, Schema, Status
from pydantic import Field

from citemploi.api.base import PolicyRouter, acting
from citemploi.api.beneficiaries import BeneficiaryId
from citemploi.api.schemas import MAX_ID, READ_ERRORS, WRITE_ERRORS, InputSchema, PastDate
from citemploi.core.access import not_found
from citemploi.people import queries, services
from citemploi.people.enums import ConsentMethod, ConsentScope
from citemploi.people.models import Consent

router = PolicyRouter(tags=["Consentements"])

ConsentId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant du consentement.", example=1)]


class ConsentOut(Schema):
    id: int
    scope: ConsentScope = Field(
        description="follow_up : suivi par la structure référente ; sharing : partage avec le groupe de "
        "suivi ; commission : présentation en commission de cohorte."
    )
    method: ConsentMethod
    given_on: date
    recorded_by: str | None
    recorded_at: datetime
    withdrawn_on: date | None
    withdrawn_by: str | None
    active: bool = Field(description="Vrai tant que le consentement n'est pas retiré.")


class ConsentIn(InputSchema):
    scope: ConsentScope
    method: ConsentMethod = Field(description="oral, written (écrit signé) ou electronic.")
    given_on: PastDate = Field(description="Date du consentement (AAAA-MM-JJ), pas dans le futur.")


class WithdrawIn(InputSchema):
    withdrawn_on: PastDate | None = Field(None, description="Date du retrait (aujourd'hui si absente).")


def consent_out(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "scope": consent.scope,
        "method": consent.method,
        "given_on": consent.given_on,
        "recorded_by": str(consent.recorded_by) if consent.recorded_by else None,
        "recorded_at": consent.recorded_at,
        "withdrawn_on": consent.withdrawn_on,
        "withdrawn_by": str(consent.withdrawn_by) if consent.withdrawn_by else None,
        "active": consent.is_active,
    }


@router.get(
    "/beneficiaries/{beneficiary_id}/consents",
    response={200: list[ConsentOut], **READ_ERRORS},
    operation_id="consents_list",
    summary="Lister les consentements d'une personne",
    description="Du plus récent au plus ancien. La consultation de la fiche est journalisée.",
    openapi_extra={"x-citemploi-action": "beneficiary.view"},
)
def list_consents(request: HttpRequest, beneficiary_id: BeneficiaryId) -> list[dict]:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, beneficiary_id)
    return [consent_out(c) for c in queries.consents_for(ctx, b)]


@router.post(
    "/beneficiaries/{beneficiary_id}/consents",
    response={201: ConsentOut, **WRITE_ERRORS},
    operation_id="consents_record",
    summary="Enregistrer un consentement",
    openapi_extra={"x-citemploi-action": "beneficiary.consent"},
)
def record_consent(request: HttpRequest, beneficiary_id: BeneficiaryId, payload: ConsentIn) -> Status:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, beneficiary_id, "beneficiary.consent", log_read=False)
    consent = services.record_consent(
        ctx=ctx, beneficiary=b, scope=payload.scope, method=payload.method, given_on=payload.given_on
    )
    return Status(201, consent_out(consent))


@router.post(
    "/beneficiaries/{beneficiary_id}/consents/{consent_id}/withdraw",
    response={200: ConsentOut, **WRITE_ERRORS},
    operation_id="consents_withdraw",
    summary="Retirer un consentement",
    description="Le retrait du consentement au partage arrête immédiatement l'accès des partenaires du groupe "
    "de suivi. Le corps est facultatif.",
    openapi_extra={"x-citemploi-action": "beneficiary.consent"},
)
def withdraw_consent(
    request: HttpRequest,
    beneficiary_id: BeneficiaryId,
    consent_id: ConsentId,
    payload: Body[WithdrawIn | None] = None,
) -> dict:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, beneficiary_id, "beneficiary.consent", log_read=False)
    consent = queries.consents_for(ctx, b).filter(pk=consent_id).first()
    if consent is None:
        raise not_found()
    withdrawn_on = payload.withdrawn_on if payload else None
    return consent_out(services.withdraw_consent(ctx=ctx, consent=consent, withdrawn_on=withdrawn_on))
