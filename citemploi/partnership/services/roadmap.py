"""Writes on the roadmap: objectives, their indicators, actions and the status transitions of actions."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.partnership.enums import ACTION_TRANSITIONS, REASON_REQUIRED, ActionStatus
from citemploi.partnership.models import ActionTransition, Indicator, Objective, RoadmapAction
from citemploi.partnership.queries import roadmap as queries
from citemploi.partnership.services.common import check_fields, check_structure

OBJECTIVE_FIELDS = ["stake", "title", "description", "owner", "position"]
INDICATOR_FIELDS = ["label", "unit", "baseline", "target", "current", "target_date", "measured_on"]
ACTION_FIELDS = ["title", "description", "owner", "starts_on", "due_on"]


def _own_objective(ctx: ActingContext, objective: Objective) -> None:
    if objective.cite_id != ctx.cite_id:
        raise PermissionDenied("Cet objectif ne relève pas de votre cité.")


def _sync_indicators(objective: Objective, rows: list[dict[str, Any]]) -> dict[str, list]:
    """Create, change or delete the objective's indicators. Each row is the indicator fields, plus `id` for
    an existing indicator and `delete` to remove it."""
    existing = {i.pk: i for i in objective.indicators.all()}
    changes: dict[str, list] = {}
    for row in rows:
        row = dict(row)
        pk, delete = row.pop("id", None), row.pop("delete", False)
        check_fields(row, INDICATOR_FIELDS)
        if pk is not None and pk not in existing:
            raise ValidationError({"indicators": "Cet indicateur n'appartient pas à l'objectif."})
        if pk is not None and delete:
            changes[f"indicator.{pk}"] = [existing[pk].label, None]
            existing[pk].delete()
            continue
        if delete:
            continue
        indicator = existing[pk] if pk is not None else Indicator(objective=objective)
        before = audit.snapshot(indicator, INDICATOR_FIELDS) if pk is not None else {}
        for name, value in row.items():
            setattr(indicator, name, value)
        indicator.full_clean(exclude=["objective"])
        if pk is None:
            indicator.save()
            changes[f"indicator.{indicator.pk}"] = [None, indicator.label]
        else:
            diff = audit.diff(indicator, before, list(row))
            if diff:
                indicator.save()
                changes |= {f"indicator.{pk}.{name}": value for name, value in diff.items()}
    return changes


@transaction.atomic
def create_objective(
    *, ctx: ActingContext, data: dict[str, Any], indicators: list[dict[str, Any]] | None = None
) -> Objective:
    require(ctx, "roadmap.manage")
    check_fields(data, OBJECTIVE_FIELDS)
    check_structure(ctx, data.get("owner"), "owner")
    objective = Objective(cite_id=ctx.cite_id, **data)
    objective.full_clean(exclude=["cite"])
    objective.save()
    changes: dict[str, list] = {k: [None, audit._jsonable(v)] for k, v in data.items()}
    changes |= _sync_indicators(objective, indicators or [])
    audit.log(ctx, "roadmap.objective_create", objective, changes=changes)
    return objective


@transaction.atomic
def update_objective(
    *,
    ctx: ActingContext,
    objective: Objective,
    data: dict[str, Any],
    indicators: list[dict[str, Any]] | None = None,
) -> Objective:
    require(ctx, "roadmap.manage")
    _own_objective(ctx, objective)
    check_fields(data, OBJECTIVE_FIELDS)
    check_structure(ctx, data.get("owner"), "owner")
    locked = Objective.objects.select_for_update().get(pk=objective.pk)
    before = audit.snapshot(locked, list(data))
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["cite"])
    changes = audit.diff(locked, before, list(data))
    if changes:
        locked.save(update_fields=[*changes, "updated_at"])
    changes |= _sync_indicators(locked, indicators or [])
    if changes:
        audit.log(ctx, "roadmap.objective_update", locked, changes=changes)
    return locked


def _check_dates(action: RoadmapAction) -> None:
    if action.starts_on and action.due_on and action.due_on < action.starts_on:
        raise ValidationError({"due_on": "L'échéance ne peut pas précéder le début."})


@transaction.atomic
def create_action(*, ctx: ActingContext, objective: Objective, data: dict[str, Any]) -> RoadmapAction:
    require(ctx, "roadmap.manage")
    _own_objective(ctx, objective)
    check_fields(data, ACTION_FIELDS)
    check_structure(ctx, data.get("owner"), "owner")
    action = RoadmapAction(objective=objective, **data)
    _check_dates(action)
    action.full_clean(exclude=["objective"])
    action.save()
    audit.log(
        ctx,
        "roadmap.action_create",
        action,
        changes={k: [None, audit._jsonable(v)] for k, v in data.items()}
        | {"objective": [None, objective.title]},
    )
    return action


@transaction.atomic
def update_action(*, ctx: ActingContext, action: RoadmapAction, data: dict[str, Any]) -> RoadmapAction:
    require(ctx, "roadmap.manage")
    _own_objective(ctx, action.objective)
    check_fields(data, ACTION_FIELDS + ["objective"])
    check_structure(ctx, data.get("owner"), "owner")
    if "objective" in data:
        _own_objective(ctx, data["objective"])
    locked = RoadmapAction.objects.select_for_update().get(pk=action.pk)
    before = audit.snapshot(locked, list(data))
    for name, value in data.items():
        setattr(locked, name, value)
    _check_dates(locked)
    locked.full_clean(exclude=["objective"])
    changes = audit.diff(locked, before, list(data))
    if changes:
        locked.save(update_fields=[*changes, "updated_at"])
        audit.log(ctx, "roadmap.action_update", locked, changes=changes)
    return locked


def allowed_moves(action: RoadmapAction) -> list[str]:
    """The statuses the action may move to from its current status, in the order of the vocabulary."""
    targets = ACTION_TRANSITIONS.get(action.status, frozenset())
    return [status.value for status in ActionStatus if status.value in targets]


def reason_required(from_status: str, to_status: str) -> bool:
    return (from_status, to_status) in REASON_REQUIRED


@transaction.atomic
def transition_action(
    *, ctx: ActingContext, action: RoadmapAction, to_status: str, reason: str = ""
) -> ActionTransition:
    """Move a roadmap action to another status, if the move is allowed from its current status.

    Suspending, abandoning and reopening need a reason. The coordination moves any action of the cité;
    a partner structure moves the actions it pilots. Each move is logged (who, when, from, to, why).
    """
    require(ctx, "roadmap.action_status")
    _own_objective(ctx, action.objective)
    if not queries.can_change_status(ctx, action):
        raise PermissionDenied("Seule la structure pilote de l'action ou la coordination change son statut.")
    locked = RoadmapAction.objects.select_for_update().get(pk=action.pk)
    if to_status not in ActionStatus.values:
        raise ValidationError({"to_status": "Statut inconnu."})
    if to_status not in ACTION_TRANSITIONS.get(locked.status, frozenset()):
        raise ValidationError(
            {
                "to_status": f"Une action « {ActionStatus(locked.status).label.lower()} » ne peut pas passer "
                f"à « {ActionStatus(to_status).label.lower()} »."
            }
        )
    reason = reason.strip()
    if reason_required(locked.status, to_status) and not reason:
        raise ValidationError({"reason": "Indiquez le motif de ce changement de statut."})
    transition = ActionTransition.objects.create(
        action=locked,
        from_status=locked.status,
        to_status=to_status,
        reason=reason,
        by=ctx.user,
        by_label=str(ctx.user),
    )
    audit.log(
        ctx,
        "roadmap.action_transition",
        locked,
        changes={"status": [locked.status, to_status], "reason": [None, reason]},
    )
    locked.status = to_status
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at", "updated_at"])
    action.status = locked.status
    return transition
