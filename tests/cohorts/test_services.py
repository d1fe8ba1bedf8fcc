"""Candidates' life cycle, consent, recusal and the lock of closed sessions."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from citemploi.cohorts import services
from citemploi.cohorts.enums import CohortState, CommissionOutcome, ExitReason, MemberState, NotRetainedReason
from citemploi.cohorts.machine import TransitionRefused
from citemploi.cohorts.models import Recusal
from citemploi.core.models import AuditEvent
from tests.cohorts.builders import candidate_person, open_cohort, proposed, session_with
from tests.factories import BeneficiaryFactory, ctx_for


@pytest.fixture
def cohort(world):
    return open_cohort(world)


def test_a_referent_proposes_a_consenting_person_and_the_proposal_is_logged(world, cohort):
    member = proposed(world, cohort)
    assert member.state == MemberState.PROPOSED
    assert member.proposing_structure == world.ft
    log = list(member.transitions.values_list("from_state", "to_state", "actor"))
    assert log == [("", "proposed", world.referent_ft.user.pk)]
    assert AuditEvent.objects.filter(
        code="cohort_member.proposed", beneficiary_id=member.beneficiary_id
    ).exists()


def test_a_person_without_consent_to_the_commission_is_refused_with_a_clear_message(world, cohort):
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    with pytest.raises(ValidationError) as exc:
        services.propose(ctx=ctx_for(world.referent_ft), cohort=cohort, beneficiary=person, reason="Motivée")
    assert "accord pour être présentée en commission" in " ".join(exc.value.messages)
    assert not cohort.members.exists()


def test_a_withdrawn_consent_is_no_consent(world, cohort):
    person = candidate_person(world)
    person.consents.update(withdrawn_on=date(2024, 4, 1))
    with pytest.raises(ValidationError):
        services.propose(ctx=ctx_for(world.referent_ft), cohort=cohort, beneficiary=person, reason="Motivée")


def test_a_referent_cannot_propose_a_person_another_structure_follows(world, cohort):
    person = candidate_person(world, structure=world.asso)
    with pytest.raises(PermissionDenied):
        services.propose(ctx=ctx_for(world.referent_ml), cohort=cohort, beneficiary=person, reason="Motivé")


def test_only_open_cohorts_of_referent_structures_take_proposals(world, cohort):
    draft = services.create_cohort(
        ctx=ctx_for(world.coordinator),
        data={"name": "Brouillon", "target_public": "x", "target_size": 5, "start_date": date(2024, 1, 1)},
    )
    with pytest.raises(ValidationError, match="pas ouverte"):
        proposed(world, draft)
    only_ml = open_cohort(world, name="Jeunes en CEJ", structures=[world.ml])
    with pytest.raises(ValidationError, match="pas référente"):
        proposed(world, only_ml)


def test_one_active_membership_per_person_and_cohort(world, cohort):
    member = proposed(world, cohort)
    with pytest.raises(ValidationError, match="déjà candidate"):
        proposed(world, cohort, person=member.beneficiary)


def _decide_and_close(world, cohort, member, outcome, **kw):
    session = session_with(world, cohort, [member], convened=[world.coordinator, world.commission_member])
    services.record_decision(
        ctx=ctx_for(world.coordinator), session=session, member=member, outcome=outcome, **kw
    )
    services.close_session(ctx=ctx_for(world.coordinator), session=session)
    member.refresh_from_db()
    return session


def test_integration_then_exit_follow_the_state_machine_and_keep_responsibility(world, cohort):
    member = proposed(world, cohort)
    person = member.beneficiary
    session = _decide_and_close(world, cohort, member, CommissionOutcome.INTEGRATED, reason="Profil adapté")
    assert member.state == MemberState.INTEGRATED
    assert member.integrated_on == session.held_on
    services.exit_member(
        ctx=ctx_for(world.referent_ft), member=member, reason=ExitReason.SOLUTION, exited_on=date(2024, 9, 1)
    )
    member.refresh_from_db()
    assert member.state == MemberState.EXITED and member.exit_reason == ExitReason.SOLUTION
    steps = list(member.transitions.values_list("from_state", "to_state", "effective_on", "session"))
    assert steps == [
        ("", "proposed", member.proposed_on, None),
        ("proposed", "examined", date(2024, 6, 10), session.pk),
        ("examined", "integrated", date(2024, 6, 10), session.pk),
        ("integrated", "exited", date(2024, 9, 1), None),
    ]
    person.refresh_from_db()
    assert person.responsible_structure == world.ft  # the proposing structure keeps responsibility
    assert person.referent == world.referent_ft.user


def test_waiting_people_come_back_on_a_later_agenda(world, cohort):
    member = proposed(world, cohort)
    _decide_and_close(world, cohort, member, CommissionOutcome.WAITING, reason="À revoir après la formation")
    assert member.state == MemberState.WAITING
    later = session_with(world, cohort, [member], held_on=date(2024, 7, 8))
    services.record_decision(
        ctx=ctx_for(world.coordinator), session=later, member=member, outcome=CommissionOutcome.INTEGRATED
    )
    services.close_session(ctx=ctx_for(world.coordinator), session=later)
    member.refresh_from_db()
    assert member.state == MemberState.INTEGRATED
    assert list(member.transitions.values_list("to_state", flat=True)) == [
        "proposed",
        "examined",
        "waiting",
        "examined",
        "integrated",
    ]


def test_not_retained_needs_a_reason_from_the_list(world, cohort):
    member = proposed(world, cohort)
    session = session_with(world, cohort, [member])
    with pytest.raises(ValidationError, match="motif de non-retenue"):
        services.record_decision(
            ctx=ctx_for(world.coordinator),
            session=session,
            member=member,
            outcome=CommissionOutcome.NOT_RETAINED,
        )
    services.record_decision(
        ctx=ctx_for(world.coordinator),
        session=session,
        member=member,
        outcome=CommissionOutcome.NOT_RETAINED,
        not_retained_reason=NotRetainedReason.FULL,
    )
    services.close_session(ctx=ctx_for(world.coordinator), session=session)
    member.refresh_from_db()
    assert member.state == MemberState.NOT_RETAINED and member.not_retained_reason == NotRetainedReason.FULL
    with pytest.raises(TransitionRefused):
        services.exit_member(
            ctx=ctx_for(world.coordinator), member=member, reason=ExitReason.OTHER, details="x"
        )
    # not retained, the person may be proposed again later
    again = proposed(world, cohort, person=member.beneficiary)
    assert again.pk != member.pk


def test_only_integrated_people_exit_and_other_needs_details(world, cohort):
    member = proposed(world, cohort)
    with pytest.raises(TransitionRefused, match="Passage impossible"):
        services.exit_member(ctx=ctx_for(world.coordinator), member=member, reason=ExitReason.MOVED)
    _decide_and_close(world, cohort, member, CommissionOutcome.INTEGRATED)
    with pytest.raises(ValidationError, match="Précisez"):
        services.exit_member(ctx=ctx_for(world.coordinator), member=member, reason=ExitReason.OTHER)
    with pytest.raises(PermissionDenied):
        services.exit_member(ctx=ctx_for(world.referent_ml), member=member, reason=ExitReason.MOVED)


def test_a_present_member_of_the_proposing_structure_is_recused_and_cannot_decide(world, cohort):
    from tests.factories import member as make_member

    ft_commission = make_member(world.cite, "commission_member", world.ft)
    member = proposed(world, cohort)
    other = proposed(world, cohort, referent=world.referent_ml)
    session = session_with(
        world,
        cohort,
        [member, other],
        convened=[world.coordinator, ft_commission, world.referent_ft, world.commission_member],
        present=[world.coordinator, ft_commission, world.commission_member],
        chair=ft_commission,
    )
    recused = set(Recusal.objects.filter(session=session).values_list("membership_id", "member_id"))
    # the FT référent is absent: not recused; the FT commission member is present: recused for the FT candidate
    assert recused == {(ft_commission.pk, member.pk)}
    with pytest.raises(services.Recused):
        services.record_decision(
            ctx=ctx_for(ft_commission), session=session, member=member, outcome=CommissionOutcome.INTEGRATED
        )
    # the chair decides for the candidate of another structure
    services.record_decision(
        ctx=ctx_for(ft_commission), session=session, member=other, outcome=CommissionOutcome.WAITING
    )
    # another commission member, not chairing, may not record decisions
    with pytest.raises(PermissionDenied):
        services.record_decision(
            ctx=ctx_for(world.commission_member),
            session=session,
            member=other,
            outcome=CommissionOutcome.WAITING,
        )


def test_presence_changes_refresh_the_recusals(world, cohort):
    member = proposed(world, cohort)
    session = session_with(world, cohort, [member], present=[world.coordinator])
    assert not session.recusals.exists()
    services.update_session(
        ctx=ctx_for(world.coordinator),
        session=session,
        data={},
        cohorts=[cohort],
        convened=[world.coordinator, world.commission_member, world.referent_ft],
        present=[world.coordinator, world.referent_ft],
        agenda=[member],
    )
    assert list(session.recusals.values_list("membership_id", flat=True)) == [world.referent_ft.pk]


def test_closing_locks_the_decisions(world, cohort):
    member = proposed(world, cohort)
    session = _decide_and_close(world, cohort, member, CommissionOutcome.INTEGRATED)
    assert session.locked
    with pytest.raises(services.SessionLocked):
        services.record_decision(
            ctx=ctx_for(world.coordinator), session=session, member=member, outcome=CommissionOutcome.WAITING
        )
    with pytest.raises(services.SessionLocked):
        services.close_session(ctx=ctx_for(world.coordinator), session=session)
    with pytest.raises(services.SessionLocked):
        services.update_session(
            ctx=ctx_for(world.coordinator),
            session=session,
            data={},
            cohorts=[cohort],
            convened=[world.coordinator],
            present=[],
            agenda=[],
        )
    assert session.decisions.get().outcome == CommissionOutcome.INTEGRATED


def test_session_rules(world, cohort):
    member = proposed(world, cohort)
    other_cohort = open_cohort(world, name="Jeunes en CEJ")
    with pytest.raises(ValidationError) as exc:
        services.create_session(
            ctx=ctx_for(world.coordinator),
            data={"held_on": date(2024, 6, 1)},
            cohorts=[other_cohort],
            convened=[world.coordinator, world.steering],
            present=[world.commission_member],
            agenda=[member],
        )
    assert set(exc.value.message_dict) == {"convened", "present", "agenda"}


def test_cohort_dates_and_state_changes(world):
    ctx = ctx_for(world.coordinator)
    with pytest.raises(ValidationError, match="date de fin"):
        services.create_cohort(
            ctx=ctx,
            data={
                "name": "x",
                "target_public": "x",
                "target_size": 5,
                "start_date": date(2024, 5, 1),
                "end_date": date(2024, 1, 1),
            },
        )
    cohort = open_cohort(world)
    with pytest.raises(ValidationError):
        services.set_cohort_state(ctx=ctx, cohort=cohort, state=CohortState.DRAFT)
    services.set_cohort_state(ctx=ctx, cohort=cohort, state=CohortState.CLOSED)
    assert cohort.state == CohortState.CLOSED
