from django.db.models import QuerySet

from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.models import AuditEvent


def audit_events_for(ctx: ActingContext, params: dict) -> QuerySet[AuditEvent]:
    """Audit rows of the acting cité (coordinators)."""
    require(ctx, "audit.view")
    qs = AuditEvent.objects.filter(cite_id=ctx.cite_id).select_related("actor_structure")
    if params.get("code"):
        qs = qs.filter(code__startswith=params["code"])
    if params.get("beneficiary"):
        qs = qs.filter(beneficiary_id=params["beneficiary"])
    if params.get("actor"):
        qs = qs.filter(actor_label__icontains=params["actor"])
    return qs.order_by("-created_at", "-id")
