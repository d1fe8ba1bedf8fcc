"""Checks shared by the partnership services."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from citemploi.core.concurrency import StaleEdit  # noqa: F401 - re-exported for callers
from citemploi.core.context import ActingContext
from citemploi.partners.models import Structure
from citemploi.territory.models import QPV

STALE_MESSAGE = (
    "Cette fiche a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte. "
    "Rechargez la page pour voir ses changements ; votre saisie n'a pas été enregistrée."
)


def check_structures(ctx: ActingContext, structures: Iterable[Structure], field: str) -> list[Structure]:
    """The structures, each a partner of the acting cité (ValidationError otherwise)."""
    items = list(structures)
    ids = {s.pk for s in items}
    partners = set(
        Structure.objects.filter(pk__in=ids, partnerships__cite_id=ctx.cite_id).values_list("pk", flat=True)
    )
    if ids - partners:
        raise ValidationError({field: "Choisissez des structures partenaires de la cité."})
    return items


def check_structure(ctx: ActingContext, structure: Structure | None, field: str) -> None:
    if structure is not None:
        check_structures(ctx, [structure], field)


def check_qpv(ctx: ActingContext, qpv: QPV | None, field: str = "qpv") -> None:
    if qpv is not None and not QPV.objects.filter(pk=qpv.pk, cites=ctx.cite_id).exists():
        raise ValidationError({field: "Choisissez un QPV de la cité."})


def check_fields(data: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}")
