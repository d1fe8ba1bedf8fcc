"""Erasure on request (RGPD art. 17), where the law allows: a coordinator erases a person's file.

Every domain erases its rows about the person (event participations are detached, their anonymous
figures remain); the person's own row is kept anonymised, so that the cité's aggregated statistics
(gender, QPV, age band, situation codes) survive as an anonymous row. The request is recorded with its
legal basis and reason, without any personal data.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from citemploi.core import audit
from citemploi.core.context import ActingContext
from citemploi.people import lifecycle
from citemploi.people.enums import ErasureBasis
from citemploi.people.models import Beneficiary, Consent, ErasureRequest, FollowUpMember
from citemploi.people.retention import anonymise_person

MIN_REASON_LENGTH = 20


def may_erase(ctx: ActingContext) -> bool:
    """Only the cité's coordinators erase files (the act is theirs, as controllers' representatives)."""
    return ctx.can("beneficiary.erase")


@transaction.atomic
def erase_person(
    *, ctx: ActingContext, beneficiary: Beneficiary, legal_basis: str, reason: str
) -> ErasureRequest:
    """Erase every domain's data about the person and anonymise their row; record the request."""
    if not may_erase(ctx) or beneficiary.cite_id != ctx.cite_id:
        raise PermissionDenied("Seule la coordination de la cité peut effacer une fiche.")
    if legal_basis not in ErasureBasis.values:
        raise ValidationError("Choisissez le fondement juridique de l'effacement.")
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(f"Expliquez la demande en {MIN_REASON_LENGTH} caractères au moins.")
    person = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk, anonymised_at__isnull=True)
    rows = lifecycle.erase_all(person)
    rows["consents"] = Consent.objects.filter(beneficiary=person).delete()[0]
    rows["followup_group"] = FollowUpMember.objects.filter(beneficiary=person).delete()[0]
    rows.update({f"anonymised_{k}": v for k, v in anonymise_person(person).items()})
    request = ErasureRequest.objects.create(
        cite_id=person.cite_id,
        beneficiary_id=person.pk,
        legal_basis=legal_basis,
        reason=reason,
        erased_by=ctx.user,
        rows=rows,
    )
    audit.log(
        ctx,
        "beneficiary.erase",
        request,
        beneficiary_id=person.pk,
        changes={"legal_basis": legal_basis, "rows": sum(rows.values())},
    )
    return request
