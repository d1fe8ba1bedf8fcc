"""Change of the structure and référent responsible for a person (the hand-over, "passage de relais").

The pathways domain records the hand-over itself (consent, reason, history) and calls this service, which is
the only place where a person's responsibility changes: locked row, version bump, audit row with the old and
new values, in the caller's transaction. After the change the former structure reaches the person only if it
is in the follow-up group (and the person consents to sharing): that is the ordinary scope logic.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from citemploi.accounts.models import User
from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.core.policy import Role
from citemploi.partners.models import Membership, Structure
from citemploi.people import queries
from citemploi.people.models import Beneficiary, FollowUpMember


def _check_target(beneficiary: Beneficiary, structure: Structure, referent: User | None) -> None:
    errors: dict[str, str] = {}
    if not structure.partnerships.filter(cite_id=beneficiary.cite_id).exists():
        errors["to_structure"] = "Cette structure n'est pas partenaire de la cité."
    elif (
        referent is not None
        and not Membership.objects.filter(
            user_id=referent.pk,
            structure_id=structure.pk,
            cite_id=beneficiary.cite_id,
            role=Role.REFERENT,
            is_active=True,
        ).exists()
    ):
        errors["to_referent"] = "Cette personne n'est pas référente de la structure choisie."
    if (
        not errors
        and structure.pk == beneficiary.responsible_structure_id
        and (referent.pk if referent else None) == beneficiary.referent_id
    ):
        errors["to_structure"] = "La personne est déjà suivie par cette structure et ce·tte référent·e."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def change_responsibility(
    *,
    ctx: ActingContext,
    beneficiary: Beneficiary,
    structure: Structure,
    referent: User | None = None,
    action: str = "pathway.handover",
    expected_version: int | None = None,
    keep_former_in_followup: bool = False,
) -> Beneficiary:
    """Make `structure` (and `referent`, a référent of it) responsible for the person.

    The acting context must be allowed `action` on the person (the responsible structure or the
    coordination). If the new structure was in the follow-up group, it leaves it: it is now responsible.
    With `keep_former_in_followup`, the former structure joins the follow-up group (it then sees the person
    while the person consents to sharing).
    """
    require(ctx, action)
    locked = (
        queries.beneficiaries_for(ctx, action)
        .select_for_update(of=("self",))
        .select_related("responsible_structure", "referent")
        .filter(pk=beneficiary.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied("Vous ne pouvez pas passer le relais pour cette personne.")
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            "La fiche a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte. "
            "Rechargez-la ; le passage de relais n'a pas été enregistré."
        )
    _check_target(locked, structure, referent)
    old_structure, old_referent = locked.responsible_structure, locked.referent
    locked.responsible_structure = structure
    locked.referent = referent
    locked.version = F("version") + 1  # type: ignore[assignment]
    locked.save(update_fields=["responsible_structure", "referent", "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    now = timezone.now()
    for member in FollowUpMember.objects.filter(
        beneficiary=locked, structure=structure, ended_at__isnull=True
    ):
        member.ended_at = now
        member.save(update_fields=["ended_at"])
        audit.log(
            ctx,
            "followup.end",
            member,
            beneficiary_id=locked.pk,
            changes={"structure": [structure.name, None], "reason": "devenue structure référente"},
        )
    if (
        keep_former_in_followup
        and old_structure.pk != structure.pk
        and not FollowUpMember.objects.filter(
            beneficiary=locked, structure=old_structure, ended_at__isnull=True
        ).exists()
    ):
        member = FollowUpMember.objects.create(
            beneficiary=locked,
            structure=old_structure,
            role="Ancienne structure référente",
            added_by=ctx.user if ctx.user.pk else None,
        )
        audit.log(
            ctx,
            "followup.add",
            member,
            beneficiary_id=locked.pk,
            changes={"structure": [None, old_structure.name], "role": [None, member.role]},
        )
    audit.log(
        ctx,
        "beneficiary.handover",
        locked,
        beneficiary_id=locked.pk,
        changes={
            "responsible_structure": [old_structure.name, structure.name],
            "referent": [str(old_referent) if old_referent else None, str(referent) if referent else None],
        },
    )
    return locked
