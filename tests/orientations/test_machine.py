"""The state machine: every legal transition passes, every other one is refused with a French message."""

import pytest

from citemploi.orientations import services
from citemploi.orientations.enums import Status
from citemploi.orientations.machine import EDGES, TransitionConflict, TransitionRefused
from citemploi.orientations.models import Orientation, OrientationTransition
from tests.factories import ctx_for
from tests.orientations.factories import moved, sent_by_ft

#: how to reach each state from « envoyée »
PATHS = {
    Status.SENT: [],
    Status.ACCEPTED: [Status.ACCEPTED],
    Status.REFUSED: [Status.REFUSED],
    Status.STARTED: [Status.ACCEPTED, Status.STARTED],
    Status.COMPLETED: [Status.ACCEPTED, Status.STARTED, Status.COMPLETED],
    Status.ABANDONED: [Status.ACCEPTED, Status.ABANDONED],
}
LEGAL = {
    (Status.SENT, Status.ACCEPTED),
    (Status.SENT, Status.REFUSED),
    (Status.SENT, Status.EXPIRED),
    (Status.SENT, Status.WITHDRAWN),
    (Status.ACCEPTED, Status.STARTED),
    (Status.ACCEPTED, Status.ABANDONED),
    (Status.STARTED, Status.COMPLETED),
    (Status.STARTED, Status.ABANDONED),
}


def test_the_edges_are_the_documented_ones():
    assert {(s, t) for s, targets in EDGES.items() for t in targets} == LEGAL


def _in_state(world, state):
    o = sent_by_ft(world)
    if state == Status.WITHDRAWN:
        return services.withdraw(ctx=ctx_for(world.referent_ft), orientation=o)
    if state == Status.EXPIRED:
        Orientation.objects.filter(pk=o.pk).update(deadline=o.sent_at)
        services.expire_overdue()
        return Orientation.objects.get(pk=o.pk)
    return moved(world, o, *PATHS[state])


RECEIVER_TARGETS = [Status.ACCEPTED, Status.REFUSED, Status.STARTED, Status.COMPLETED, Status.ABANDONED]


@pytest.mark.parametrize("source", list(Status))
@pytest.mark.parametrize("target", RECEIVER_TARGETS)
def test_receiver_transitions(world, source, target):
    o = _in_state(world, source)
    assert o.status == source
    logged = OrientationTransition.objects.filter(orientation=o).count()
    if (source, target) in LEGAL:
        after = moved(world, o, target)
        assert after.status == target
        last = after.transitions.last()
        assert (last.source, last.target, last.channel) == (source, target, "web")
        assert last.actor == world.referent_ml.user and last.actor_structure == world.ml
    else:
        with pytest.raises(TransitionRefused) as exc:
            moved(world, o, target)
        assert "impossible" in str(exc.value) or "déjà" in str(exc.value)
        assert Orientation.objects.get(pk=o.pk).status == source
        assert OrientationTransition.objects.filter(orientation=o).count() == logged


@pytest.mark.parametrize("source", list(Status))
def test_withdraw_only_while_waiting(world, source):
    o = _in_state(world, source)
    ctx = ctx_for(world.referent_ft)
    if source == Status.SENT:
        after = services.withdraw(ctx=ctx, orientation=o, reason="La personne a trouvé un emploi.")
        assert after.status == Status.WITHDRAWN
        assert after.transitions.last().reason == "La personne a trouvé un emploi."
    else:
        with pytest.raises(TransitionRefused):
            services.withdraw(ctx=ctx, orientation=o)
        assert Orientation.objects.get(pk=o.pk).status == source


def test_sending_is_logged_as_the_first_transition(world):
    o = sent_by_ft(world)
    first = o.transitions.get()
    assert (first.source, first.target, first.actor) == ("", Status.SENT, world.referent_ft.user)


def test_refusal_needs_a_reason_from_the_list_and_details_for_other(world):
    o = sent_by_ft(world)
    ctx = ctx_for(world.referent_ml)
    with pytest.raises(Exception) as exc:
        services.answer(ctx=ctx, orientation=o, target=Status.REFUSED)
    assert "motif du refus" in str(exc.value)
    with pytest.raises(Exception) as exc:
        services.answer(ctx=ctx, orientation=o, target=Status.REFUSED, refusal_reason="other")
    assert "Précisez" in str(exc.value)
    done = services.answer(
        ctx=ctx, orientation=o, target=Status.REFUSED, refusal_reason="other", details="Service fermé l'été."
    )
    assert done.refusal_reason == "other" and done.refusal_details == "Service fermé l'été."
    assert done.transitions.last().reason == "Autre motif — Service fermé l'été."


def test_completion_needs_an_outcome(world):
    o = moved(world, sent_by_ft(world), Status.ACCEPTED, Status.STARTED)
    with pytest.raises(Exception) as exc:
        services.answer(ctx=ctx_for(world.referent_ml), orientation=o, target=Status.COMPLETED)
    assert "résultat" in str(exc.value)
    assert Orientation.objects.get(pk=o.pk).status == Status.STARTED


def test_the_second_of_two_concurrent_answers_gets_a_clear_message(world):
    o = sent_by_ft(world)
    first = ctx_for(world.referent_ml)
    services.answer(ctx=first, orientation=o, target=Status.ACCEPTED, expected_status=Status.SENT)
    with pytest.raises(TransitionConflict) as exc:
        services.answer(
            ctx=first,
            orientation=o,
            target=Status.REFUSED,
            refusal_reason="no_capacity",
            expected_status="sent",
        )
    assert "a changé entre-temps" in str(exc.value) and "acceptée" in str(exc.value)
    assert Orientation.objects.get(pk=o.pk).status == Status.ACCEPTED


def test_only_the_receiving_structure_answers_and_only_the_sender_withdraws(world):
    from django.core.exceptions import PermissionDenied

    o = sent_by_ft(world)
    with pytest.raises(PermissionDenied):
        services.answer(ctx=ctx_for(world.referent_ft), orientation=o, target=Status.ACCEPTED)
    with pytest.raises(PermissionDenied):
        services.withdraw(ctx=ctx_for(world.other_coordinator), orientation=o)
    assert Orientation.objects.get(pk=o.pk).status == Status.SENT
