"""Reads of the companies engaged with the cité."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.partnership.models import Employer, EmployerEngagement, EmployerOffer, Event
from citemploi.partnership.queries.common import get_or_404, in_cite


def employers_for(ctx: ActingContext, action: str = "employer.view") -> QuerySet[Employer]:
    return in_cite(ctx, Employer.objects.all(), action)


def access_employer_for(ctx: ActingContext, pk: int | str, action: str = "employer.view") -> Employer:
    require(ctx, action)
    return get_or_404(employers_for(ctx, action).select_related("commune", "structure"), pk)


def employer_rows(ctx: ActingContext, params: dict[str, Any]) -> QuerySet[Employer]:
    """Employers filtered by name, engagement frame and kind of offer, with their engagements, active
    offers and number of linked events."""
    qs = employers_for(ctx)
    if params.get("q"):
        qs = qs.filter(name__icontains=params["q"])
    if params.get("frame"):
        qs = qs.filter(
            Exists(EmployerEngagement.objects.filter(employer=OuterRef("pk"), frame=params["frame"]))
        )
    if params.get("offer"):
        qs = qs.filter(
            Exists(
                EmployerOffer.objects.filter(employer=OuterRef("pk"), kind=params["offer"], is_active=True)
            )
        )
    return (
        qs.annotate(event_count=Count("events", distinct=True))
        .prefetch_related(
            "engagements",
            Prefetch("offers", queryset=EmployerOffer.objects.filter(is_active=True).order_by("kind", "id")),
        )
        .order_by("name", "id")
    )


def employer_events(employer: Employer) -> QuerySet[Event]:
    return employer.events.select_related("qpv").order_by("-date", "-id")
