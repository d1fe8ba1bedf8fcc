"""Writes on personal data. Every entry point (screens, API, imports, commands) goes through here.

Each service checks the policy for the acting context, writes in one transaction with its audit row,
and refuses stale edits (optimistic concurrency on `version`).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit  # noqa: F401 - re-exported for callers
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.core.text import fold
from citemploi.partners.models import Membership, Structure
from citemploi.people import queries
from citemploi.people.models import Beneficiary, Consent, FollowUpMember, SensitiveInfo

#: fields a create/update may set (identity, situation, rights, responsibility)
BENEFICIARY_FIELDS = [
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "email",
    "phone",
    "address",
    "postcode",
    "city",
    "qpv",
    "qpv_evidence_method",
    "qpv_evidence_date",
    "qpv_list_version",
    "education_level",
    "employment_status",
    "ft_registered",
    "spe_followed",
    "rsa",
    "ass",
    "cej",
    "single_parent",
    "children_count",
    "french_level",
    "digital_autonomy",
    "driving_licence",
    "has_vehicle",
    "reperage_channel",
    "identified_on",
    "referent",
]


def identity_key(first_name: str, last_name: str, birth_date: date | None) -> str:
    """Names folded (accents, case, punctuation ignored) and sorted, so a swap of first and last name
    still matches, followed by the birth date."""
    tokens = sorted((fold(first_name) + " " + fold(last_name)).split())
    return " ".join(tokens) + "|" + (birth_date.isoformat() if birth_date else "")


class DuplicateIdentity(Exception):
    """A person with the same identity already exists in the cité."""

    def __init__(self, existing: Beneficiary, visible: bool):
        self.existing = existing
        self.visible = visible
        super().__init__("Une fiche existe déjà pour cette personne dans la cité.")


@dataclass
class Created:
    beneficiary: Beneficiary


#: an age outside these bounds at identification is certainly a typo in the birth date
MAX_AGE_YEARS = 100
MIN_AGE_YEARS = 14


def _check_consistency(beneficiary: Beneficiary) -> None:
    """Rules every entry point shares: the QPV is one of the cité's, the référent is a référent of the
    responsible structure, the birth date is plausible."""
    errors: dict[str, str] = {}
    if beneficiary.qpv_id and not beneficiary.cite.qpvs.filter(pk=beneficiary.qpv_id).exists():
        errors["qpv"] = "Ce QPV n'appartient pas à la cité."
    if (
        beneficiary.referent_id
        and not Membership.objects.filter(
            user_id=beneficiary.referent_id,
            structure_id=beneficiary.responsible_structure_id,
            cite_id=beneficiary.cite_id,
            role="referent",
            is_active=True,
        ).exists()
    ):
        errors["referent"] = "Cette personne n'est pas référente de la structure responsable."
    if beneficiary.birth_date:
        today = timezone.localdate()
        age = today.year - beneficiary.birth_date.year
        if beneficiary.birth_date > today:
            errors["birth_date"] = "La date de naissance ne peut pas être dans le futur."
        elif age > MAX_AGE_YEARS or age < MIN_AGE_YEARS:
            errors["birth_date"] = f"Vérifiez la date de naissance : la personne aurait {age} ans."
    if errors:
        raise ValidationError(errors)


def _check_duplicate(ctx: ActingContext, cite_id: int, key: str, exclude_pk: int | None = None) -> None:
    existing = queries.find_same_identity(cite_id, key, exclude_pk).first()
    if existing is not None:
        visible = queries.can(ctx, "beneficiary.view", existing)
        raise DuplicateIdentity(existing, visible)


def _responsible_structure(ctx: ActingContext, structure: Structure | None) -> Structure:
    scope = ctx.scope("beneficiary.create")
    if scope == Scope.CITE:
        if structure is None:
            raise ValidationError({"responsible_structure": "Choisissez la structure référente."})
        if not structure.partnerships.filter(cite_id=ctx.cite_id).exists():
            raise ValidationError(
                {"responsible_structure": "Cette structure n'est pas partenaire de la cité."}
            )
        return structure
    # A référent creates people for their own structure.
    if ctx.structure is None:
        raise PermissionDenied("Choisissez la structure pour laquelle vous agissez.")
    return ctx.structure


def build_new_beneficiary(
    ctx: ActingContext, structure: Structure, data: dict[str, Any], key: str | None = None
) -> Beneficiary:
    """A new, unsaved file of the acting cité, as every creation path builds it (screens, API, imports).

    The acting référent becomes the référent of the people they create for their own structure; the person
    is "invisible" at identification when registered with no SPE structure and followed by none.
    `key` spares recomputing the identity key when the caller already has it.
    """
    beneficiary = Beneficiary(
        cite_id=ctx.cite_id, responsible_structure_id=structure.pk, created_by_id=ctx.user.pk, **data
    )
    return complete_new_beneficiary(ctx, structure, beneficiary, key)


def complete_new_beneficiary(
    ctx: ActingContext, structure: Structure, beneficiary: Beneficiary, key: str | None = None
) -> Beneficiary:
    """The values a new file derives from the acting context and from its own values (build_new_beneficiary's
    rules). The import applies them to copies of one blank file rather than building each file from scratch:
    a model's constructor costs as much as everything else the import does for a line."""
    if beneficiary.referent_id is None and ctx.role == "referent" and structure.pk == ctx.structure_id:
        beneficiary.referent = ctx.user  # the object, so that the audit row reads it without a query
    beneficiary.identity_key = key or identity_key(
        beneficiary.first_name, beneficiary.last_name, beneficiary.birth_date
    )
    beneficiary.invisible_at_identification = not beneficiary.ft_registered and not beneficiary.spe_followed
    return beneficiary


def creation_changes(beneficiary: Beneficiary) -> dict[str, Any]:
    """The changes of a `beneficiary.create` audit row: (old, new) for every field set at creation."""
    return {f: (None, audit._jsonable(getattr(beneficiary, f))) for f in BENEFICIARY_FIELDS}


@transaction.atomic
def create_beneficiary(
    *,
    ctx: ActingContext,
    data: dict[str, Any],
    responsible_structure: Structure | None = None,
    sensitive: dict[str, bool] | None = None,
    allow_duplicate: bool = False,
) -> Beneficiary:
    """Create a person's file in the acting cité.

    A person who already exists in the cité (same names and birth date) is not created twice:
    DuplicateIdentity is raised with the existing file (and whether the user may see it).
    The person is "invisible" at identification when registered with no SPE structure and followed by none.
    """
    require(ctx, "beneficiary.create")
    unknown = set(data) - set(BENEFICIARY_FIELDS)
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    structure = _responsible_structure(ctx, responsible_structure)
    beneficiary = build_new_beneficiary(ctx, structure, data)
    if not allow_duplicate:
        _check_duplicate(ctx, ctx.cite_id or 0, beneficiary.identity_key)
    _check_consistency(beneficiary)
    beneficiary.full_clean(exclude=["identity_key", "created_by", "cite", "responsible_structure"])
    beneficiary.save()
    audit.log(
        ctx,
        "beneficiary.create",
        beneficiary,
        beneficiary_id=beneficiary.pk,
        changes=creation_changes(beneficiary),
    )
    if sensitive and any(sensitive.values()):
        if not queries.can(ctx, "beneficiary.edit_sensitive", beneficiary):
            raise PermissionDenied(
                "Seul·e le·la référent·e responsable peut saisir des informations sensibles."
            )
        _write_sensitive(ctx, beneficiary, sensitive)
    return beneficiary


@transaction.atomic
def update_beneficiary(
    *, ctx: ActingContext, beneficiary: Beneficiary, data: dict[str, Any], expected_version: int | None = None
) -> Beneficiary:
    """Change a person's file. An edit based on an older version than the stored one is refused (StaleEdit)."""
    require(ctx, "beneficiary.edit")
    locked = (
        queries.beneficiaries_for(ctx, "beneficiary.edit")
        .select_for_update()
        .filter(pk=beneficiary.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied("Vous ne pouvez pas modifier cette fiche.")
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            "La fiche a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte. "
            "Rechargez-la pour voir ses changements ; votre saisie n'a pas été enregistrée."
        )
    unknown = set(data) - set(BENEFICIARY_FIELDS)
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    before = audit.snapshot(locked, list(data))
    for name, value in data.items():
        setattr(locked, name, value)
    new_key = identity_key(locked.first_name, locked.last_name, locked.birth_date)
    if new_key != locked.identity_key:
        _check_duplicate(ctx, locked.cite_id, new_key, exclude_pk=locked.pk)
        locked.identity_key = new_key
    _check_consistency(locked)
    locked.full_clean(exclude=["identity_key", "created_by", "cite", "responsible_structure"])
    changes = audit.diff(locked, before, list(data))
    if not changes:
        return locked
    locked.version = F("version") + 1
    locked.save(update_fields=[*changes, "identity_key", "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    audit.log(ctx, "beneficiary.update", locked, beneficiary_id=locked.pk, changes=changes)
    return locked


def _write_sensitive(ctx: ActingContext, beneficiary: Beneficiary, values: dict[str, bool]) -> SensitiveInfo:
    info, _ = SensitiveInfo.objects.get_or_create(beneficiary=beneficiary)
    fields = [f for f in SensitiveInfo.SENSITIVE_FIELDS if f in values]
    before = audit.snapshot(info, fields)
    for name in fields:
        setattr(info, name, bool(values[name]))
    info.updated_by = ctx.user
    info.save()
    # The audit keeps which sensitive fields changed, not their values.
    changed = sorted(audit.diff(info, before, fields))
    if changed:
        audit.log(
            ctx,
            "beneficiary.sensitive_update",
            beneficiary,
            beneficiary_id=beneficiary.pk,
            changes={"fields": changed},
        )
    return info


@transaction.atomic
def update_sensitive(
    *, ctx: ActingContext, beneficiary: Beneficiary, values: dict[str, bool]
) -> SensitiveInfo:
    """Only the responsible référent records health, disability, justice or addiction information."""
    require(ctx, "beneficiary.edit_sensitive")
    if not queries.can(ctx, "beneficiary.edit_sensitive", beneficiary):
        raise PermissionDenied("Seul·e le·la référent·e responsable peut modifier ces informations.")
    return _write_sensitive(ctx, beneficiary, values)


@transaction.atomic
def record_consent(
    *, ctx: ActingContext, beneficiary: Beneficiary, scope: str, method: str, given_on: date
) -> Consent:
    require(ctx, "beneficiary.consent")
    if not queries.can(ctx, "beneficiary.consent", beneficiary):
        raise PermissionDenied("Vous ne pouvez pas recueillir le consentement de cette personne.")
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": "La date du consentement ne peut pas être dans le futur."})
    consent = Consent(
        beneficiary=beneficiary, scope=scope, method=method, given_on=given_on, recorded_by=ctx.user
    )
    consent.full_clean(exclude=["recorded_by", "beneficiary"])
    consent.save()
    audit.log(
        ctx,
        "consent.record",
        consent,
        beneficiary_id=beneficiary.pk,
        changes={"scope": [None, scope], "method": [None, method], "given_on": [None, given_on]},
    )
    return consent


@transaction.atomic
def withdraw_consent(*, ctx: ActingContext, consent: Consent, withdrawn_on: date | None = None) -> Consent:
    """Withdrawal stops sharing at once: follow-up group members lose access to the file."""
    require(ctx, "beneficiary.consent")
    if not queries.can(ctx, "beneficiary.consent", consent.beneficiary):
        raise PermissionDenied("Vous ne pouvez pas modifier les consentements de cette personne.")
    if consent.withdrawn_on is not None:
        raise ValidationError("Ce consentement est déjà retiré.")
    consent.withdrawn_on = withdrawn_on or timezone.localdate()
    if consent.withdrawn_on < consent.given_on:
        raise ValidationError({"withdrawn_on": "Le retrait ne peut pas précéder le consentement."})
    consent.withdrawn_by = ctx.user
    consent.save(update_fields=["withdrawn_on", "withdrawn_by"])
    audit.log(
        ctx,
        "consent.withdraw",
        consent,
        beneficiary_id=consent.beneficiary_id,
        changes={"scope": [consent.scope, consent.scope], "withdrawn_on": [None, consent.withdrawn_on]},
    )
    return consent


@transaction.atomic
def add_followup_member(
    *, ctx: ActingContext, beneficiary: Beneficiary, structure: Structure, role: str = "", user: Any = None
) -> FollowUpMember:
    """Add a partner structure to the follow-up group. It sees the file only while consent to sharing is active."""
    require(ctx, "beneficiary.followup_group")
    if not queries.can(ctx, "beneficiary.followup_group", beneficiary):
        raise PermissionDenied("Vous ne pouvez pas modifier le groupe de suivi de cette personne.")
    if not structure.partnerships.filter(cite_id=beneficiary.cite_id).exists():
        raise ValidationError({"structure": "Cette structure n'est pas partenaire de la cité."})
    if structure.pk == beneficiary.responsible_structure_id:
        raise ValidationError({"structure": "C'est déjà la structure référente."})
    if beneficiary.followup_members.filter(structure=structure, ended_at__isnull=True).exists():
        raise ValidationError({"structure": "Cette structure fait déjà partie du groupe de suivi."})
    if user is not None and not user.memberships.filter(structure=structure, is_active=True).exists():
        raise ValidationError({"user": "Cette personne n'est pas membre de la structure choisie."})
    member = FollowUpMember.objects.create(
        beneficiary=beneficiary, structure=structure, user=user, role=role, added_by=ctx.user
    )
    audit.log(
        ctx,
        "followup.add",
        member,
        beneficiary_id=beneficiary.pk,
        changes={"structure": [None, structure.name], "role": [None, role]},
    )
    return member


@transaction.atomic
def end_followup_member(*, ctx: ActingContext, member: FollowUpMember) -> FollowUpMember:
    require(ctx, "beneficiary.followup_group")
    if not queries.can(ctx, "beneficiary.followup_group", member.beneficiary):
        raise PermissionDenied("Vous ne pouvez pas modifier le groupe de suivi de cette personne.")
    member.ended_at = timezone.now()
    member.save(update_fields=["ended_at"])
    audit.log(
        ctx,
        "followup.end",
        member,
        beneficiary_id=member.beneficiary_id,
        changes={"structure": [member.structure.name, None]},
    )
    return member
