"""Scoping helpers shared by the partnership reads."""

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from citemploi.core.context import ActingContext

M = TypeVar("M", bound=Model)


def in_cite(ctx: ActingContext, qs: QuerySet[M], action: str, cite_field: str = "cite_id") -> QuerySet[M]:
    """The rows of the acting cité when `action` is allowed; nothing otherwise."""
    if ctx.membership is None or ctx.cite_id is None or not ctx.can(action):
        return qs.none()
    return qs.filter(**{cite_field: ctx.cite_id})


def get_or_404(qs: QuerySet[M], pk: int | str) -> M:
    """The row `pk` of a scoped queryset; absent and forbidden give the same 404."""
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Introuvable.") from exc
