from django.db.models import Count, QuerySet
from django.http import Http404

from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.territory.models import QPV


def qpvs_for(ctx: ActingContext) -> QuerySet[QPV]:
    """QPV of the acting cité (every QPV for a national user)."""
    scope = ctx.scope("qpv.view") if ctx.membership else Scope.NONE
    if scope == Scope.ALL:
        return QPV.objects.all()
    if scope == Scope.CITE:
        return QPV.objects.filter(cites=ctx.cite_id)
    return QPV.objects.none()


def qpv_rows(ctx: ActingContext, params: dict) -> QuerySet[QPV]:
    qs = qpvs_for(ctx).prefetch_related("communes")
    if ctx.cite_id:
        qs = qs.annotate(partners=Count("partnership", distinct=True))
    if params.get("q"):
        qs = qs.filter(name__icontains=params["q"]) | qs.filter(code__iexact=params["q"])
    if params.get("department"):
        qs = qs.filter(department=params["department"])
    return qs.order_by("code")


def access_qpv_for(ctx: ActingContext, code: str, action: str = "qpv.view") -> QPV:
    require(ctx, action)
    qs = qpvs_for(ctx) if action == "qpv.view" else QPV.objects.filter(cites=ctx.cite_id)
    try:
        return qs.get(code=code)
    except QPV.DoesNotExist as exc:
        raise Http404("Introuvable.") from exc
