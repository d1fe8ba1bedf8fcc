"""Writes on structures, partnerships and memberships."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit  # noqa: F401 - re-exported for callers
from citemploi.core.context import ActingContext
from citemploi.partners import queries
from citemploi.partners.enums import SENSITIVE_BY_DEFAULT
from citemploi.partners.models import Membership, Partnership, Structure

STRUCTURE_FIELDS = [
    "name",
    "kind",
    "siret",
    "rna",
    "address",
    "commune",
    "email",
    "phone",
    "website",
    "sensitive",
]
PARTNERSHIP_FIELDS = ["role", "cooperation_format", "since"]


def _validate_ids(data: dict[str, Any]) -> None:
    siret = data.get("siret") or ""
    if siret and (not siret.isdigit() or len(siret) != 14):
        raise ValidationError({"siret": "Le SIRET compte 14 chiffres."})
    rna = data.get("rna") or ""
    if rna and not (len(rna) == 10 and rna[0] == "W" and rna[1:].isalnum()):
        raise ValidationError({"rna": "Le numéro RNA commence par W suivi de 9 caractères."})


@transaction.atomic
def create_structure(
    *, ctx: ActingContext, data: dict[str, Any], partnership: dict[str, Any] | None = None, qpvs: Any = None
) -> Structure:
    """Create a partner structure and its partnership with the acting cité."""
    require(ctx, "structure.create")
    _validate_ids(data)
    data = dict(data)
    if data.get("kind") in SENSITIVE_BY_DEFAULT:
        data["sensitive"] = True
    structure = Structure(**data)
    structure.full_clean()
    structure.save()
    p = Partnership(cite_id=ctx.cite_id, structure=structure, **(partnership or {}))
    p.full_clean(exclude=["cite", "structure"])
    p.save()
    if qpvs is not None:
        p.qpvs.set(qpvs)
    audit.log(ctx, "structure.create", structure, changes={f: [None, data.get(f)] for f in data})
    return structure


@transaction.atomic
def update_structure(
    *,
    ctx: ActingContext,
    structure: Structure,
    data: dict[str, Any],
    partnership: dict[str, Any] | None = None,
    qpvs: Any = None,
    expected_version: int | None = None,
) -> Structure:
    require(ctx, "structure.edit")
    if not queries.can_edit(ctx, structure):
        raise PermissionDenied("Vous ne pouvez pas modifier cette structure.")
    locked = Structure.objects.select_for_update().get(pk=structure.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            "La structure a été modifiée entre-temps. Rechargez la page ; votre saisie n'a pas été enregistrée."
        )
    _validate_ids(data)
    if ctx.scope("structure.edit") != "cite":
        # Only the coordination decides a structure's kind and whether it is sensitive.
        for name in ("kind", "sensitive"):
            if name in data and data[name] != getattr(locked, name):
                raise PermissionDenied(
                    "Seule la coordination de la cité peut changer le type ou le caractère sensible d'une structure."
                )
    before = audit.snapshot(locked, list(data))
    for k, v in data.items():
        setattr(locked, k, v)
    locked.full_clean()
    changes = audit.diff(locked, before, list(data))
    p = queries.partnership_in(ctx, locked)
    if p is not None and partnership is not None and ctx.scope("structure.edit") == "cite":
        pbefore = audit.snapshot(p, list(partnership))
        for k, v in partnership.items():
            setattr(p, k, v)
        p.full_clean(exclude=["cite", "structure"])
        p.save()
        changes |= audit.diff(p, pbefore, list(partnership))
        if qpvs is not None:
            old = sorted(q.code for q in p.qpvs.all())
            p.qpvs.set(qpvs)
            new = sorted(q.code for q in qpvs)
            if old != new:
                changes["qpvs"] = [old, new]
    if changes:
        locked.version = F("version") + 1
        locked.save()
        locked.refresh_from_db(fields=["version"])
        audit.log(ctx, "structure.update", locked, changes=changes)
    return locked


@transaction.atomic
def add_member(*, ctx: ActingContext, user: Any, structure: Structure | None, role: str) -> Membership:
    """Give a user a role in the acting cité (for a structure partner of it)."""
    require(ctx, "membership.manage")
    if structure is not None and not queries.structures_for(ctx).filter(pk=structure.pk).exists():
        raise ValidationError({"structure": "Cette structure n'est pas partenaire de la cité."})
    if role == "national":
        raise ValidationError({"role": "Le rôle national ne se donne pas depuis une cité."})
    membership, created = Membership.objects.get_or_create(
        user=user, cite_id=ctx.cite_id, structure=structure, role=role, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    audit.log(ctx, "membership.add", membership, changes={"user": [None, str(user)], "role": [None, role]})
    return membership


@transaction.atomic
def deactivate_member(*, ctx: ActingContext, membership: Membership) -> Membership:
    require(ctx, "membership.manage")
    if membership.cite_id != ctx.cite_id:
        raise PermissionDenied("Ce rôle ne relève pas de votre cité.")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit.log(ctx, "membership.deactivate", membership, changes={"is_active": [True, False]})
    return membership
