"""Writes of the diagnostic: the coordinator edits a QPV's reference indicators of a year."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.diagnostic.models import INTEGER_FIELDS, VALUE_FIELDS, QPVReference
from citemploi.territory.models import QPV

FIELDS = ["source", *VALUE_FIELDS]


class ReferenceError(ValueError):
    """A refused value; the message is French."""


def _check(values: dict[str, Any]) -> None:
    for name in VALUE_FIELDS:
        value = values.get(name)
        if value is None:
            continue
        if value < 0:
            raise ReferenceError(f"{QPVReference._meta.get_field(name).verbose_name} : valeur négative.")
        if name not in INTEGER_FIELDS and Decimal(value) > 100:
            raise ReferenceError(
                f"{QPVReference._meta.get_field(name).verbose_name} : un pourcentage est compris entre 0 et 100."
            )


@transaction.atomic
def save_reference(
    ctx: ActingContext, *, qpv: QPV, year: int, version: int | None, values: dict[str, Any]
) -> QPVReference:
    """Create or update the indicators of `qpv` for `year` (QPV of the acting cité only); `version` is the
    one the form read (None for a new row)."""
    require(ctx, "diagnostic.manage")
    if not qpv.cites.filter(pk=ctx.cite_id).exists():
        raise ReferenceError("Ce QPV n'est pas un QPV de votre cité.")
    if not 2000 <= year <= 2100:
        raise ReferenceError("Année invalide (entre 2000 et 2100).")
    _check(values)
    wanted = {name: values.get(name) for name in VALUE_FIELDS} | {
        "source": (values.get("source") or "")[:250]
    }
    reference = QPVReference.objects.select_for_update().filter(qpv=qpv, year=year).first()
    if reference is None:
        if version:
            raise StaleEdit("Ces indicateurs ont été supprimés entre-temps : rechargez la page.")
        reference = QPVReference.objects.create(qpv=qpv, year=year, **wanted)
        audit.log(ctx, "qpv_reference.create", reference, changes={"qpv": qpv.code, "year": year})
        return reference
    if version is not None and version != reference.version:
        raise StaleEdit(
            "Ces indicateurs ont été modifiés entre-temps par quelqu'un d'autre : rechargez la page."
        )
    before = audit.snapshot(reference, FIELDS)
    for name, value in wanted.items():
        setattr(reference, name, value)
    changes = audit.diff(reference, before, FIELDS)
    if changes:
        reference.version += 1
        reference.save(update_fields=[*FIELDS, "version", "updated_at"])
        audit.log(ctx, "qpv_reference.update", reference, changes=changes)
    return reference
