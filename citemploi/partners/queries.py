"""Reads of partner structures, scoped to the acting cité."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.partners.models import Partnership, Structure


def structures_for(ctx: ActingContext) -> QuerySet[Structure]:
    """Structures partner of the acting cité."""
    if ctx.membership is None or ctx.cite_id is None or not ctx.can("structure.view"):
        return Structure.objects.none()
    return Structure.objects.filter(partnerships__cite_id=ctx.cite_id)


def access_structure_for(ctx: ActingContext, pk: int, action: str = "structure.view") -> Structure:
    scope = require(ctx, action)
    qs = structures_for(ctx)
    if scope == Scope.OWN_STRUCTURE:
        qs = qs.filter(pk=ctx.structure_id)
    try:
        return qs.get(pk=pk)
    except (Structure.DoesNotExist, ValueError) as exc:
        raise Http404("Introuvable.") from exc


def can_edit(ctx: ActingContext, structure: Structure) -> bool:
    scope = ctx.scope("structure.edit")
    if scope == Scope.CITE:
        return structures_for(ctx).filter(pk=structure.pk).exists()
    if scope == Scope.OWN_STRUCTURE:
        return structure.pk == ctx.structure_id
    return False


def partnership_in(ctx: ActingContext, structure: Structure) -> Partnership | None:
    return (
        Partnership.objects.filter(cite_id=ctx.cite_id, structure=structure).prefetch_related("qpvs").first()
    )


def structure_rows(ctx: ActingContext, params: dict) -> QuerySet[Partnership]:
    """Partnerships of the cité with member counts, filtered by name and kind."""
    qs = (
        Partnership.objects.filter(cite_id=ctx.cite_id)
        .select_related("structure")
        .annotate(
            members=Count(
                "structure__memberships",
                filter=Q(structure__memberships__cite_id=ctx.cite_id, structure__memberships__is_active=True),
            )
        )
    )
    if params.get("q"):
        qs = qs.filter(structure__name__icontains=params["q"])
    if params.get("kind"):
        qs = qs.filter(structure__kind=params["kind"])
    return qs.order_by("structure__name", "structure_id")
