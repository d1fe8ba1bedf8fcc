"""The roadmap: objectives with indicators, and the explicit state machine of actions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citemploi.core.models import AuditEvent
from citemploi.partnership.enums import ACTION_TRANSITIONS, ActionStatus
from citemploi.partnership.models import ActionTransition, Indicator
from citemploi.partnership.queries import roadmap as queries
from citemploi.partnership.services import roadmap as services
from tests.factories import ctx_for
from tests.partnership.factories import ObjectiveFactory, RoadmapActionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(world):
    """An action piloted by France Travail."""
    return RoadmapActionFactory(objective__cite=world.cite, owner=world.ft)


def test_the_happy_path_of_an_action_is_logged(world, action):
    ctx = ctx_for(world.coordinator)
    services.transition_action(ctx=ctx, action=action, to_status="in_progress")
    services.transition_action(ctx=ctx, action=action, to_status="done")
    action.refresh_from_db()
    assert action.status == "done" and action.status_changed_at is not None
    log = list(action.transitions.order_by("at", "id").values_list("from_status", "to_status", "by"))
    assert log == [
        ("planned", "in_progress", world.coordinator.user.pk),
        ("in_progress", "done", world.coordinator.user.pk),
    ]
    assert AuditEvent.objects.filter(code="roadmap.action_transition", object_id=str(action.pk)).count() == 2


@pytest.mark.parametrize("from_status", [s.value for s in ActionStatus])
@pytest.mark.parametrize("to_status", [s.value for s in ActionStatus])
def test_only_declared_moves_are_allowed(world, from_status, to_status):
    action = RoadmapActionFactory(objective__cite=world.cite)
    action.status = from_status
    action.save()
    ctx = ctx_for(world.coordinator)
    allowed = to_status in ACTION_TRANSITIONS[from_status]
    if allowed:
        services.transition_action(ctx=ctx, action=action, to_status=to_status, reason="Décision du Cotech")
        action.refresh_from_db()
        assert action.status == to_status
    else:
        with pytest.raises(ValidationError):
            services.transition_action(
                ctx=ctx, action=action, to_status=to_status, reason="Décision du Cotech"
            )
        action.refresh_from_db()
        assert action.status == from_status
        assert not ActionTransition.objects.filter(action=action).exists()


@pytest.mark.parametrize(
    ("path", "needs_reason"),
    [
        (["in_progress", "on_hold"], True),
        (["abandoned"], True),
        (["in_progress", "done", "in_progress"], True),
        (["in_progress"], False),
        (["in_progress", "done"], False),
    ],
)
def test_suspending_abandoning_and_reopening_need_a_reason(world, action, path, needs_reason):
    ctx = ctx_for(world.coordinator)
    for status in path[:-1]:
        services.transition_action(ctx=ctx, action=action, to_status=status, reason="étape")
    if needs_reason:
        with pytest.raises(ValidationError) as exc:
            services.transition_action(ctx=ctx, action=action, to_status=path[-1], reason="  ")
        assert "reason" in exc.value.message_dict
    transition = services.transition_action(
        ctx=ctx, action=action, to_status=path[-1], reason="Faute de locaux"
    )
    assert transition.to_status == path[-1]


def test_the_piloting_structure_moves_its_own_actions_only(world, action):
    other = RoadmapActionFactory(objective=action.objective, owner=world.ml)
    services.transition_action(ctx=ctx_for(world.referent_ft), action=action, to_status="in_progress")
    services.transition_action(ctx=ctx_for(world.partner_member_ft), action=action, to_status="done")
    with pytest.raises(PermissionDenied):
        services.transition_action(ctx=ctx_for(world.referent_ft), action=other, to_status="in_progress")
    with pytest.raises(PermissionDenied):
        services.transition_action(ctx=ctx_for(world.steering), action=other, to_status="in_progress")
    assert [a.pk for a in queries.actions_for(ctx_for(world.referent_ft), "roadmap.action_status")] == [
        action.pk
    ]


def test_objective_with_indicators_is_created_updated_and_its_indicators_deleted(world):
    ctx = ctx_for(world.coordinator)
    objective = services.create_objective(
        ctx=ctx,
        data={
            "stake": "droit_commun",
            "title": "Raccrocher 150 invisibles",
            "owner": world.ft,
            "position": 1,
        },
        indicators=[
            {"label": "Personnes invisibles raccrochées", "unit": "personnes", "target": Decimal(150)}
        ],
    )
    indicator = objective.indicators.get()
    services.update_objective(
        ctx=ctx,
        objective=objective,
        data={"title": "Raccrocher 150 invisibles au droit commun"},
        indicators=[
            {"id": indicator.pk, "current": Decimal(45)},
            {
                "label": "Partenaires mobilisés",
                "target": Decimal(12),
                "baseline": Decimal(4),
                "current": Decimal(8),
            },
        ],
    )
    indicator.refresh_from_db()
    assert indicator.current == 45 and indicator.progress_percent == 30
    second = objective.indicators.exclude(pk=indicator.pk).get()
    assert second.progress_percent == 50  # from 4 to 12, at 8
    services.update_objective(
        ctx=ctx, objective=objective, data={}, indicators=[{"id": second.pk, "delete": True}]
    )
    assert list(Indicator.objects.filter(objective=objective)) == [indicator]


def test_indicators_of_another_objective_cannot_be_touched(world):
    ctx = ctx_for(world.coordinator)
    mine = ObjectiveFactory(cite=world.cite)
    theirs = Indicator.objects.create(objective=ObjectiveFactory(cite=world.cite), label="x", target=1)
    with pytest.raises(ValidationError):
        services.update_objective(
            ctx=ctx, objective=mine, data={}, indicators=[{"id": theirs.pk, "delete": True}]
        )
    assert Indicator.objects.filter(pk=theirs.pk).exists()


def test_roadmap_lists_every_stake_and_counts_statuses(world, action):
    sections = queries.roadmap_for(ctx_for(world.steering))
    assert [s.stake for s in sections] == ["cooperation", "droit_commun", "specific_offer"]
    assert [o.pk for o in sections[1].objectives] == [action.objective_id]
    assert queries.status_counts(sections)["planned"] == 1
    assert queries.roadmap_for(ctx_for(world.other_coordinator))[1].objectives == []


def test_an_action_due_before_it_starts_is_refused(world, action):
    from datetime import date

    with pytest.raises(ValidationError):
        services.update_action(
            ctx=ctx_for(world.coordinator),
            action=action,
            data={"starts_on": date(2024, 5, 1), "due_on": date(2024, 4, 1)},
        )
