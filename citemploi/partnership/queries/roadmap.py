"""Reads of the roadmap: objectives by stake with their indicators and actions."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.partnership.enums import ActionStatus, Stake
from citemploi.partnership.models import ActionTransition, Indicator, Objective, RoadmapAction
from citemploi.partnership.queries.common import get_or_404, in_cite


def objectives_for(ctx: ActingContext, action: str = "roadmap.view") -> QuerySet[Objective]:
    return in_cite(ctx, Objective.objects.all(), action)


def access_objective_for(ctx: ActingContext, pk: int | str, action: str = "roadmap.view") -> Objective:
    require(ctx, action)
    return get_or_404(objectives_for(ctx, action), pk)


def actions_for(ctx: ActingContext, action: str = "roadmap.view") -> QuerySet[RoadmapAction]:
    qs = in_cite(
        ctx, RoadmapAction.objects.select_related("objective", "owner"), action, "objective__cite_id"
    )
    if ctx.membership is not None and ctx.scope(action) == Scope.OWN_STRUCTURE:
        qs = qs.filter(owner_id=ctx.structure_id) if ctx.structure_id else qs.none()
    return qs


def access_action_for(ctx: ActingContext, pk: int | str, action: str = "roadmap.view") -> RoadmapAction:
    """A roadmap action of the cité; for `roadmap.action_status` with the own-structure scope, only the
    actions the acting structure pilots."""
    require(ctx, action)
    return get_or_404(actions_for(ctx, action), pk)


def can_change_status(ctx: ActingContext, action: RoadmapAction) -> bool:
    scope = ctx.scope("roadmap.action_status") if ctx.membership else Scope.NONE
    if scope == Scope.CITE:
        return True
    if scope == Scope.OWN_STRUCTURE:
        return ctx.structure_id is not None and action.owner_id == ctx.structure_id
    return False


@dataclass
class StakeSection:
    stake: str
    label: str
    objectives: list[Objective]


def roadmap_for(ctx: ActingContext) -> list[StakeSection]:
    """The roadmap of the cité, stake by stake (every stake is listed, even without objective yet)."""
    objectives = list(
        objectives_for(ctx)
        .select_related("owner")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("id")),
            Prefetch(
                "actions",
                queryset=RoadmapAction.objects.select_related("owner").order_by("due_on", "id"),
            ),
        )
        .order_by("stake", "position", "id")
    )
    return [
        StakeSection(stake.value, stake.label, [o for o in objectives if o.stake == stake.value])
        for stake in Stake
    ]


def status_counts(sections: list[StakeSection]) -> dict[str, int]:
    """How many actions are in each status, over the whole roadmap."""
    counts = {status.value: 0 for status in ActionStatus}
    for section in sections:
        for objective in section.objectives:
            for action in objective.actions.all():
                counts[action.status] += 1
    return counts


def transitions_of(action: RoadmapAction) -> QuerySet[ActionTransition]:
    return action.transitions.select_related("by").order_by("-at", "-id")
