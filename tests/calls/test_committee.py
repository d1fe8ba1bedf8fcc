"""The Copil session: agenda, ranking, envelope scenarios, decisions, lock, letters and minutes."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citemploi.calls import documents
from citemploi.calls.enums import ApplicationStatus, DecisionOutcome, SessionStatus
from citemploi.calls.services import committee
from tests.calls.factories import ApplicationFactory, CallFactory, assign, submitted_review
from tests.factories import ctx_for, member


@pytest.fixture
def proposed(world):
    """Three files proposed to the Copil of a 50 000 € call, with their reviews."""
    call = CallFactory(cite=world.cite, envelope=Decimal("50000"))
    apps = []
    for n, (scores, requested) in enumerate(
        [({0: 3, 1: 3, 2: 3}, "20000"), ({0: 1, 1: 1, 2: 1}, "30000"), ({0: 2, 1: 2, 2: 3, 3: 1}, "25000")]
    ):
        app = ApplicationFactory(
            call=call, holder=world.asso, complete=True, status=ApplicationStatus.PROPOSED, requested_amount=Decimal(requested),
            title=f"CITE EMPLOI-Projet {n}",
        )  # fmt: skip
        submitted_review(assign(app, world.reviewer), scores)
        apps.append(app)
    return call, apps


def test_a_session_takes_the_proposed_files_and_ranks_them(world, proposed):
    call, apps = proposed
    session = committee.create_session(ctx=ctx_for(world.coordinator), call=call, held_on=date(2024, 6, 20))
    ranked = committee.ranking(session)
    assert [r.application for r in ranked] == [apps[0], apps[2], apps[1]]
    assert [r.agreement.mean for r in ranked] == [Decimal("100.0"), Decimal("91.7"), Decimal("33.3")]
    # A second session does not take files already on an open session's agenda.
    other = committee.create_session(ctx=ctx_for(world.coordinator), call=call, held_on=date(2024, 7, 1))
    assert other.decisions.count() == 0


def test_decisions_need_amounts_or_reasons(world, proposed):
    call, apps = proposed
    ctx = ctx_for(world.steering)  # Copil members record decisions too
    session = committee.create_session(ctx=ctx, call=call, held_on=date(2024, 6, 20))
    decision = session.decisions.get(application=apps[0])
    with pytest.raises(ValidationError, match="montant attribué"):
        committee.save_decision(ctx=ctx, decision=decision, outcome=DecisionOutcome.SELECTED)
    with pytest.raises(ValidationError, match="dépasse la subvention demandée"):
        committee.save_decision(
            ctx=ctx, decision=decision, outcome=DecisionOutcome.SELECTED, amount="20000.01"
        )
    with pytest.raises(ValidationError, match="motif"):
        committee.save_decision(ctx=ctx, decision=decision, outcome=DecisionOutcome.REFUSED)
    committee.save_decision(
        ctx=ctx,
        decision=decision,
        outcome=DecisionOutcome.SELECTED,
        amount="18 000",
        conditions="Bilan intermédiaire en septembre",
    )
    decision.refresh_from_db()
    assert decision.amount == Decimal("18000.00")
    for persona in (world.reviewer, world.holder, world.national):
        with pytest.raises(PermissionDenied):
            committee.save_decision(
                ctx=ctx_for(persona), decision=decision, outcome=DecisionOutcome.REFUSED, reason="x"
            )


def test_scenarios_compare_amounts_with_the_remaining_envelope(world, proposed):
    call, apps = proposed
    ctx = ctx_for(world.coordinator)
    session = committee.create_session(ctx=ctx, call=call, held_on=date(2024, 6, 20))
    scenario = committee.save_scenario(
        ctx=ctx,
        session=session,
        name="Tout le monde",
        amounts={apps[0].pk: "20000", apps[2].pk: "25000", apps[1].pk: "5000"},
    )
    assert sum(line.amount for line in scenario.lines.all()) == Decimal("50000")
    with pytest.raises(ValidationError, match="dépasse"):
        committee.save_scenario(ctx=ctx, session=session, name="Trop", amounts={apps[0].pk: "20001"})
    assert committee.apply_scenario(ctx=ctx, scenario=scenario) == 3
    assert committee.envelope_of(call).remaining == Decimal("50000")  # nothing committed before the lock


def test_lock_moves_the_files_and_freezes_the_decisions(world, proposed, django_capture_on_commit_callbacks):
    call, apps = proposed
    ctx = ctx_for(world.coordinator)
    session = committee.create_session(ctx=ctx, call=call, held_on=date(2024, 6, 20))
    decisions = {d.application_id: d for d in session.decisions.all()}
    committee.save_decision(ctx=ctx, decision=decisions[apps[0].pk], outcome="selected", amount="20000")
    with pytest.raises(ValidationError, match="Décision manquante"):
        committee.lock_session(ctx=ctx, session=session)
    committee.save_decision(
        ctx=ctx, decision=decisions[apps[1].pk], outcome="refused", reason="Projet déjà financé par l'État"
    )
    committee.save_decision(ctx=ctx, decision=decisions[apps[2].pk], outcome="selected", amount="25000")
    # Over the envelope: refused, nothing moves.
    committee.save_decision(ctx=ctx, decision=decisions[apps[0].pk], outcome="selected", amount="20000")
    call.envelope = Decimal("40000")
    call.save()
    with pytest.raises(ValidationError, match="dépassent l'enveloppe restante"):
        committee.lock_session(ctx=ctx, session=session)
    call.envelope = Decimal("50000")
    call.save()
    locked = committee.lock_session(ctx=ctx, session=session)
    assert locked.status == SessionStatus.LOCKED and locked.locked_by == world.coordinator.user
    statuses = {a.pk: a.status for a in type(apps[0]).objects.filter(pk__in=[a.pk for a in apps])}
    assert statuses == {apps[0].pk: "selected", apps[1].pk: "refused", apps[2].pk: "selected"}
    apps[0].refresh_from_db()
    assert apps[0].awarded_amount == Decimal("20000")
    assert apps[1].transitions.get(to_status="refused").reason == "Projet déjà financé par l'État"
    assert committee.envelope_of(call).remaining == Decimal("5000")
    with pytest.raises(PermissionDenied, match="verrouillées"):
        committee.save_decision(ctx=ctx, decision=decisions[apps[1].pk], outcome="selected", amount="1000")
    with pytest.raises(PermissionDenied):
        committee.lock_session(ctx=ctx, session=session)
    # Letters and minutes
    letter = documents.decision_letter_pdf(session.decisions.get(application=apps[0]))
    minutes = documents.minutes_pdf(session, committee.ranking(session))
    assert letter.startswith(b"%PDF") and minutes.startswith(b"%PDF")


def test_a_postponed_file_comes_back_to_a_later_session(world, proposed):
    call, apps = proposed
    ctx = ctx_for(world.coordinator)
    session = committee.create_session(ctx=ctx, call=call, held_on=date(2024, 6, 20))
    for d in session.decisions.all():
        committee.save_decision(ctx=ctx, decision=d, outcome="postponed", reason="Budget à revoir")
    committee.lock_session(ctx=ctx, session=session)
    committee.repropose(ctx=ctx, app=apps[1], reason="Budget revu")
    later = committee.create_session(ctx=ctx, call=call, held_on=date(2024, 9, 20))
    assert [d.application for d in later.decisions.all()] == [apps[1]]


def test_another_cites_committee_is_out_of_reach(world, proposed):
    call, _ = proposed
    other = member(world.other_cite, "coordinator")
    with pytest.raises(PermissionDenied):
        committee.create_session(ctx=ctx_for(other), call=call, held_on=date(2024, 6, 20))
