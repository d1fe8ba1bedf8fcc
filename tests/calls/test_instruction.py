"""Instruction: admissibility with the rule results, reviewers and conflicts of interest, scoring with a
mandatory justification, agreement between reviewers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from citemploi.calls import queries, scoring
from citemploi.calls.enums import ApplicationStatus, ConflictStatus, ReviewStatus
from citemploi.calls.models import ApplicationPartner
from citemploi.calls.services import instruction
from tests.calls.factories import ApplicationFactory, CallFactory, assign
from tests.factories import ctx_for, member


@pytest.fixture
def app(world):
    call = CallFactory(cite=world.cite)
    return ApplicationFactory(
        call=call, holder=world.asso, complete=True, filled=True, status=ApplicationStatus.SUBMITTED
    )


def test_admissibility_keeps_the_rule_results(world, app):
    moved = instruction.declare_admissible(ctx=ctx_for(world.coordinator), app=app, reason="Dossier complet")
    assert moved.status == ApplicationStatus.ADMISSIBLE
    log = app.transitions.get(to_status=ApplicationStatus.ADMISSIBLE)
    assert {r["rule_type"] for r in log.details["rule_results"]} >= {"budget_balanced", "required_documents"}


def test_not_admissible_needs_a_reason_and_to_complete_a_future_deadline(world, app):
    ctx = ctx_for(world.coordinator)
    from citemploi.calls.machines import TransitionRefused

    with pytest.raises(TransitionRefused, match="motif"):
        instruction.declare_not_admissible(ctx=ctx, app=app, reason="")
    with pytest.raises(ValidationError, match="futur"):
        instruction.request_completion(ctx=ctx, app=app, reason="RIB", complete_by=timezone.localdate())
    instruction.request_completion(
        ctx=ctx, app=app, reason="RIB", complete_by=timezone.localdate() + timedelta(days=5)
    )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.TO_COMPLETE


def test_only_the_coordination_instructs(world, app):
    for persona in (world.reviewer, world.holder, world.steering):
        with pytest.raises(PermissionDenied):
            instruction.declare_admissible(ctx=ctx_for(persona), app=app)


def test_reviewer_sees_the_file_only_after_declaring_no_conflict(world, app):
    coordinator, reviewer = ctx_for(world.coordinator), ctx_for(world.reviewer)
    instruction.declare_admissible(ctx=coordinator, app=app)
    assignment = instruction.assign_reviewer(ctx=coordinator, app=app, reviewer=world.reviewer.user)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.UNDER_REVIEW
    assert assignment.conflict_status == ConflictStatus.UNDECLARED and not assignment.auto_conflict
    assert not queries.applications_for(reviewer).exists()
    assert list(queries.assignments_for(reviewer)) == [assignment]
    instruction.declare_conflict(ctx=reviewer, assignment=assignment, has_conflict=False)
    assert list(queries.applications_for(reviewer)) == [app]
    with pytest.raises(PermissionDenied, match="déjà enregistrée"):
        instruction.declare_conflict(ctx=reviewer, assignment=assignment, has_conflict=True)


def test_a_declared_conflict_keeps_the_file_hidden(world, app):
    coordinator, reviewer = ctx_for(world.coordinator), ctx_for(world.reviewer)
    instruction.declare_admissible(ctx=coordinator, app=app)
    assignment = instruction.assign_reviewer(ctx=coordinator, app=app, reviewer=world.reviewer.user)
    instruction.declare_conflict(
        ctx=reviewer, assignment=assignment, has_conflict=True, comment="Ancienne salariée"
    )
    assert not queries.applications_for(reviewer).exists()
    with pytest.raises(PermissionDenied, match="conflit"):
        instruction.save_review(ctx=reviewer, assignment=assignment, scores={})


@pytest.mark.parametrize("via", ["holder", "partner"])
def test_a_reviewer_member_of_the_holder_or_a_partner_is_flagged(world, app, via):
    coordinator = ctx_for(world.coordinator)
    instruction.declare_admissible(ctx=coordinator, app=app)
    structure = world.asso if via == "holder" else world.ml
    if via == "partner":
        ApplicationPartner.objects.create(application=app, structure=world.ml, role="Prescription")
    reviewer_membership = member(world.cite, "reviewer")
    member(world.cite, "partner_member", structure, user=reviewer_membership.user)
    assignment = instruction.assign_reviewer(ctx=coordinator, app=app, reviewer=reviewer_membership.user)
    assert assignment.auto_conflict == structure.name
    assert assignment.conflict_status == ConflictStatus.CONFLICT
    with pytest.raises(PermissionDenied, match="déjà enregistrée"):
        instruction.declare_conflict(
            ctx=ctx_for(reviewer_membership), assignment=assignment, has_conflict=False
        )
    assert not queries.applications_for(ctx_for(reviewer_membership)).exists()


def test_only_reviewers_of_the_cite_are_assigned_once(world, app):
    coordinator = ctx_for(world.coordinator)
    instruction.declare_admissible(ctx=coordinator, app=app)
    with pytest.raises(ValidationError, match="pas instructrice"):
        instruction.assign_reviewer(ctx=coordinator, app=app, reviewer=world.referent_ft.user)
    instruction.assign_reviewer(ctx=coordinator, app=app, reviewer=world.reviewer.user)
    with pytest.raises(ValidationError, match="déjà"):
        instruction.assign_reviewer(ctx=coordinator, app=app, reviewer=world.reviewer.user)


def test_scores_need_a_justification_and_every_criterion_to_submit(world, app):
    coordinator, reviewer = ctx_for(world.coordinator), ctx_for(world.reviewer)
    instruction.declare_admissible(ctx=coordinator, app=app)
    assignment = instruction.assign_reviewer(ctx=coordinator, app=app, reviewer=world.reviewer.user)
    instruction.declare_conflict(ctx=reviewer, assignment=assignment, has_conflict=False)
    criteria = list(app.call.criteria.all())
    with pytest.raises(ValidationError) as exc:
        instruction.save_review(ctx=reviewer, assignment=assignment, scores={criteria[0].pk: (3, "  ")})
    assert exc.value.message_dict == {
        f"justification_{criteria[0].pk}": ["La justification est obligatoire."]
    }
    with pytest.raises(ValidationError) as exc:
        instruction.save_review(ctx=reviewer, assignment=assignment, scores={criteria[0].pk: (9, "trop")})
    assert "Note de 0 à 3." in exc.value.messages
    draft = instruction.save_review(
        ctx=reviewer, assignment=assignment, scores={criteria[0].pk: (2, "Réponse nouvelle sur la garde")}
    )
    assert draft.status == ReviewStatus.DRAFT and draft.scores.count() == 1
    with pytest.raises(ValidationError):
        instruction.save_review(
            ctx=reviewer, assignment=assignment, scores={criteria[0].pk: (2, "ok")}, submit=True
        )
    full = {c.pk: (1, f"Justification {c.label}") for c in criteria}
    review = instruction.save_review(
        ctx=reviewer, assignment=assignment, scores=full, comment="Avis", submit=True
    )
    assert review.status == ReviewStatus.SUBMITTED and review.scores.count() == 4
    with pytest.raises(PermissionDenied, match="transmise"):
        instruction.save_review(ctx=reviewer, assignment=assignment, scores=full)
    moved = instruction.propose_to_committee(ctx=coordinator, app=app)
    assert moved.status == ApplicationStatus.PROPOSED


def test_a_file_goes_to_the_committee_with_at_least_one_review(world, app):
    coordinator = ctx_for(world.coordinator)
    instruction.declare_admissible(ctx=coordinator, app=app)
    instruction.assign_reviewer(ctx=coordinator, app=app, reviewer=world.reviewer.user)
    with pytest.raises(ValidationError, match="Au moins une évaluation"):
        instruction.propose_to_committee(ctx=coordinator, app=app)


def test_another_reviewers_assignment_is_not_reachable(world, app):
    other = member(world.cite, "reviewer")
    assignment = assign(app, other, declared=False)
    from django.http import Http404

    with pytest.raises(Http404):
        queries.access_assignment_for(ctx_for(world.reviewer), assignment.pk)
    with pytest.raises(PermissionDenied):
        instruction.declare_conflict(ctx=ctx_for(world.reviewer), assignment=assignment, has_conflict=False)


# --- Agreement between reviewers --------------------------------------------------------------------------

GRID = [
    scoring.CriterionSpec(1, "Originalité", Decimal(3), 3),
    scoring.CriterionSpec(2, "Porteur et partenaires", Decimal(2), 3),
    scoring.CriterionSpec(3, "Réalisme", Decimal(3), 3),
    scoring.CriterionSpec(4, "Bonus Emplois francs", Decimal(1), 1, is_bonus=True),
]


def test_totals_are_on_100_with_the_bonus_on_top():
    assert scoring.total(GRID, {1: 3, 2: 3, 3: 3, 4: 0}) == Decimal("100.0")
    assert scoring.total(GRID, {1: 3, 2: 3, 3: 3, 4: 1}) == Decimal("112.5")
    assert scoring.total(GRID, {1: 0, 2: 0, 3: 0}) == Decimal("0.0")
    # 3×2/3 + 2×1/3 + 3×3/3 = 5.6667 over 8 → 70.8
    assert scoring.total(GRID, {1: 2, 2: 1, 3: 3}) == Decimal("70.8")
    assert scoring.total([], {}) == Decimal(0)


def test_agreeing_reviewers_are_not_flagged():
    result = scoring.agreement(GRID, [{1: 2, 2: 2, 3: 3, 4: 1}, {1: 3, 2: 2, 3: 3, 4: 1}])
    assert result.totals == (Decimal("91.7"), Decimal("104.2"))
    assert result.mean == Decimal("98.0")
    assert result.spread == Decimal("12.5") and not result.flagged
    assert [c.gap for c in result.criteria] == [1, 0, 0, 0]
    assert [c.agreement for c in result.criteria] == [
        Decimal("0.67"),
        Decimal("1.00"),
        Decimal("1.00"),
        Decimal("1.00"),
    ]
    assert not result.any_flag


def test_disagreeing_reviewers_are_flagged_per_file_and_per_criterion():
    result = scoring.agreement(GRID, [{1: 3, 2: 3, 3: 3}, {1: 0, 2: 2, 3: 1}, {1: 2, 2: 3, 3: 2}])
    assert result.reviews == 3
    assert result.spread > Decimal(20) and result.flagged
    flagged = [c.criterion.label for c in result.criteria if c.flagged]
    assert flagged == ["Originalité", "Réalisme"]
    assert result.criteria[0].agreement == Decimal("0.00")
    single = scoring.agreement(GRID, [{1: 3, 2: 0, 3: 0}])
    assert not single.any_flag and single.spread == 0


def test_thresholds_come_from_the_call():
    reviews = [{1: 3, 2: 3, 3: 3}, {1: 2, 2: 3, 3: 3}]
    assert not scoring.agreement(GRID, reviews).any_flag
    strict = scoring.agreement(GRID, reviews, spread_threshold=Decimal(5), gap_threshold=1)
    assert strict.flagged and strict.criteria[0].flagged
