from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from citemploi.core.concurrency import StaleEdit
from citemploi.core.models import AuditEvent
from citemploi.pathways import services
from citemploi.pathways.enums import BarrierState, PlanActionStatus, PlanObjectiveStatus
from citemploi.pathways.models import BarrierTransition, Situation
from tests.factories import ctx_for
from tests.pathways.helpers import action, barrier, followed_by_ft, objective


@pytest.fixture
def person(world):
    return followed_by_ft(world)


def test_a_barrier_is_identified_by_the_acting_user_and_structure_with_a_log_and_an_audit_row(world, person):
    situation = Situation.objects.get(code="ce-mob-permis")
    record = barrier(
        world, person, situation=situation, severity="high", source="interview", comment="Veut conduire"
    )
    assert record.state == BarrierState.IDENTIFIED
    assert record.identified_by == world.referent_ft.user
    assert record.identified_by_structure == world.ft
    assert record.identified_on == timezone.localdate()
    assert not record.sensitive
    assert [(t.from_state, t.to_state) for t in record.transitions.all()] == [("", "identified")]
    event = AuditEvent.objects.get(code="pathway.barrier_add")
    assert event.beneficiary_id == person.pk
    assert event.changes["barrier"] == [None, "mobilite"]
    assert event.changes["situation"] == [None, "ce-mob-permis"]


def test_bad_input_is_refused_in_french_and_nothing_is_written(world, person):
    with pytest.raises(ValidationError) as exc:
        barrier(world, person, code="inconnu")
    assert "Frein inconnu" in str(exc.value)
    with pytest.raises(ValidationError, match="ne correspond pas"):
        barrier(world, person, situation=Situation.objects.get(code="ce-log-sans"))
    with pytest.raises(ValidationError, match="futur"):
        barrier(world, person, identified_on=timezone.localdate() + timedelta(days=1))
    assert person.barrier_records.count() == 0
    assert not AuditEvent.objects.filter(code="pathway.barrier_add").exists()


def test_the_same_open_barrier_is_not_recorded_twice(world, person):
    barrier(world, person)
    with pytest.raises(ValidationError, match="déjà ouvert"):
        barrier(world, person)
    # with another situation it is another detail of the same barrier
    barrier(world, person, situation=Situation.objects.get(code="ce-mob-vehicule"))
    assert person.barrier_records.count() == 2


def test_only_the_responsible_referent_records_a_sensitive_barrier(world, person):
    with pytest.raises(PermissionDenied):
        services.add_barrier(ctx=ctx_for(world.coordinator), beneficiary=person, barrier="sante-handicap")
    with pytest.raises(PermissionDenied):
        services.add_barrier(
            ctx=ctx_for(world.coordinator),
            beneficiary=person,
            barrier="difficultes-administratives",
            situation=Situation.objects.get(code="ce-adm-justice"),
        )
    record = barrier(world, person, code="sante-handicap")
    assert record.sensitive
    # the audit row of a sensitive barrier does not say which one it is
    event = AuditEvent.objects.get(code="pathway.barrier_add")
    assert event.changes == {"sensitive": True, "fields": ["barrier", "severity", "situation", "source"]}


def test_roles_outside_the_responsible_structure_cannot_write(world, person):
    for membership in (world.referent_ml, world.steering, world.national, world.other_referent):
        with pytest.raises(PermissionDenied):
            services.add_barrier(ctx=ctx_for(membership), beneficiary=person, barrier="mobilite")
    # the coordination may
    services.add_barrier(ctx=ctx_for(world.coordinator), beneficiary=person, barrier="mobilite")


def test_life_cycle_transitions_are_checked_and_logged(world, person):
    record = barrier(world, person)
    ctx = ctx_for(world.referent_ft)
    with pytest.raises(ValidationError, match="ne peut passer"):
        services.transition_barrier(ctx=ctx, record=record, to_state=BarrierState.PERSISTING)
    with pytest.raises(ValidationError, match="pourquoi"):
        services.transition_barrier(ctx=ctx, record=record, to_state=BarrierState.NOT_ADDRESSED)
    record = services.transition_barrier(ctx=ctx, record=record, to_state=BarrierState.ACTION_ENGAGED)
    record = services.transition_barrier(
        ctx=ctx, record=record, to_state=BarrierState.PERSISTING, reason="Échec"
    )
    record = services.transition_barrier(ctx=ctx, record=record, to_state=BarrierState.LIFTED)
    log = list(
        BarrierTransition.objects.filter(record=record).values_list("from_state", "to_state", "reason", "by")
    )
    assert log == [
        ("", "identified", "Frein identifié", world.referent_ft.user.pk),
        ("identified", "action_engaged", "", world.referent_ft.user.pk),
        ("action_engaged", "persisting", "Échec", world.referent_ft.user.pk),
        ("persisting", "lifted", "", world.referent_ft.user.pk),
    ]
    assert record.version == 4
    assert AuditEvent.objects.filter(code="pathway.barrier_state").count() == 3


def test_a_stale_edit_is_refused(world, person):
    record = barrier(world, person)
    ctx = ctx_for(world.referent_ft)
    services.update_barrier(ctx=ctx, record=record, data={"severity": "high"}, expected_version=1)
    with pytest.raises(StaleEdit):
        services.transition_barrier(ctx=ctx, record=record, to_state=BarrierState.LIFTED, expected_version=1)
    record.refresh_from_db()
    assert record.state == BarrierState.IDENTIFIED


def test_an_action_engages_the_barriers_of_its_objective(world, person):
    mobility = barrier(world, person)
    housing = barrier(world, person, code="logement")
    obj = objective(world, person, barriers=[mobility])
    act = action(world, obj, due_on=timezone.localdate() + timedelta(days=10))
    mobility.refresh_from_db()
    housing.refresh_from_db()
    assert mobility.state == BarrierState.ACTION_ENGAGED
    assert (
        mobility.transitions.last().reason == "Action « S'inscrire à l'auto-école sociale » ajoutée au plan"
    )
    assert housing.state == BarrierState.IDENTIFIED
    assert act.status == PlanActionStatus.TODO
    assert act.owner_structure == world.ft


def test_action_owner_status_and_log(world, person):
    obj = objective(world, person)
    ctx = ctx_for(world.referent_ft)
    with pytest.raises(ValidationError, match="qui porte"):
        services.add_action(ctx=ctx, objective=obj, title="Sans porteur")
    with pytest.raises(ValidationError, match="membre de la cité"):
        services.add_action(ctx=ctx, objective=obj, title="Ailleurs", owner_membership=world.other_referent)
    act = services.add_action(ctx=ctx, objective=obj, title="Atelier CV", owner_membership=world.referent_ml)
    assert act.owner_structure == world.ml
    with pytest.raises(ValidationError, match="annulée"):
        services.transition_action(ctx=ctx, action=act, to_status=PlanActionStatus.CANCELLED)
    act = services.transition_action(ctx=ctx, action=act, to_status=PlanActionStatus.IN_PROGRESS)
    act = services.transition_action(ctx=ctx, action=act, to_status=PlanActionStatus.DONE)
    assert [t.to_state for t in act.transitions.all()] == ["todo", "in_progress", "done"]
    obj = services.transition_objective(ctx=ctx, objective=obj, to_status=PlanObjectiveStatus.ACHIEVED)
    with pytest.raises(ValidationError, match="plus en cours"):
        services.add_action(ctx=ctx, objective=obj, title="Trop tard", owner_structure=world.ft)


def test_an_objective_linked_to_a_sensitive_barrier_is_sensitive(world, person):
    health = barrier(world, person, code="sante-handicap")
    obj = objective(world, person, title="Faire reconnaître la RQTH", barriers=[health])
    assert obj.sensitive
    with pytest.raises(PermissionDenied):
        services.add_action(
            ctx=ctx_for(world.coordinator), objective=obj, title="Dossier MDPH", owner_structure=world.ft
        )


def test_overdue_actions(world, person):
    obj = objective(world, person)
    today = timezone.localdate()
    late = action(world, obj, title="En retard", due_on=today - timedelta(days=1))
    soon = action(world, obj, title="À venir", due_on=today + timedelta(days=1))
    assert late.is_overdue(today)
    assert not soon.is_overdue(today)
    done = services.transition_action(
        ctx=ctx_for(world.referent_ft), action=late, to_status=PlanActionStatus.DONE
    )
    assert not done.is_overdue(today)
