"""Instruction of the files: admissibility (« à compléter » with a deadline), reviewers and their
conflict-of-interest declaration, scoring, proposal to the steering committee."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from citemploi.accounts.models import User
from citemploi.calls import machines
from citemploi.calls.eligibility.engine import evaluate
from citemploi.calls.enums import ApplicationStatus, ConflictStatus, ReviewStatus
from citemploi.calls.models import Application, Review, ReviewerAssignment, Score
from citemploi.calls.services.common import IllegalState, require_in_cite
from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Role
from citemploi.partners.models import Membership


def _instructing(ctx: ActingContext, app: Application) -> None:
    require_in_cite(ctx, "application.instruct", app.call.cite_id)


def _rule_details(app: Application) -> dict[str, Any]:
    return {"rule_results": [e.as_dict() for e in evaluate(app)]}


@transaction.atomic
def request_completion(
    *, ctx: ActingContext, app: Application, reason: str, complete_by: date
) -> Application:
    """Send the file back to the holder (« à compléter ») with what is missing and a deadline."""
    _instructing(ctx, app)
    if complete_by <= timezone.localdate():
        raise ValidationError({"complete_by": "La date limite doit être dans le futur."})
    moved = machines.move(
        ctx,
        app,
        machines.APPLICATION,
        ApplicationStatus.TO_COMPLETE,
        reason=reason,
        details={"complete_by": complete_by.isoformat()},
        extra_fields={"complete_by": complete_by},
    )
    from citemploi.calls.tasks import notify_status

    app_id = app.pk
    transaction.on_commit(lambda: notify_status.enqueue(app_id))
    return moved


@transaction.atomic
def declare_admissible(*, ctx: ActingContext, app: Application, reason: str = "") -> Application:
    """The file is admissible; the rule results of that moment are kept in the transition log."""
    _instructing(ctx, app)
    return machines.move(
        ctx,
        app,
        machines.APPLICATION,
        ApplicationStatus.ADMISSIBLE,
        reason=reason,
        details=_rule_details(app),
    )


@transaction.atomic
def declare_not_admissible(*, ctx: ActingContext, app: Application, reason: str) -> Application:
    _instructing(ctx, app)
    moved = machines.move(
        ctx,
        app,
        machines.APPLICATION,
        ApplicationStatus.NOT_ADMISSIBLE,
        reason=reason,
        details=_rule_details(app),
    )
    from citemploi.calls.tasks import notify_status

    app_id = app.pk
    transaction.on_commit(lambda: notify_status.enqueue(app_id))
    return moved


def conflicts_of(reviewer: User, app: Application) -> list[str]:
    """Names of the file's structures (holder, partners) the reviewer belongs to."""
    involved = {app.holder_id: app.holder.name}
    for p in app.partners.select_related("structure"):
        if p.structure_id:
            involved[p.structure_id] = p.structure.name
    mine = set(
        Membership.objects.filter(user=reviewer, is_active=True, structure_id__in=list(involved)).values_list(
            "structure_id", flat=True
        )
    )
    return sorted(involved[s] for s in mine)


def reviewers_of_cite(cite_id: int) -> list[User]:
    return list(
        User.objects.filter(
            memberships__cite_id=cite_id,
            memberships__role=Role.REVIEWER,
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "id")
    )


@transaction.atomic
def assign_reviewer(*, ctx: ActingContext, app: Application, reviewer: User) -> ReviewerAssignment:
    """Assign a reviewer of the cité to an admissible file (the file goes « en instruction »).

    A reviewer who belongs to the holder or to a partner structure is flagged at once: they will not be
    able to declare themselves free of conflict of interest.
    """
    _instructing(ctx, app)
    if app.status not in (ApplicationStatus.ADMISSIBLE, ApplicationStatus.UNDER_REVIEW):
        raise PermissionDenied("Seul un dossier recevable ou en instruction reçoit des instructeur·rices.")
    if reviewer.pk not in {u.pk for u in reviewers_of_cite(app.call.cite_id)}:
        raise ValidationError({"reviewer": "Cette personne n'est pas instructrice dans la cité."})
    if ReviewerAssignment.objects.filter(application=app, reviewer=reviewer).exists():
        raise ValidationError({"reviewer": "Cette personne instruit déjà ce dossier."})
    conflicts = conflicts_of(reviewer, app)
    assignment = ReviewerAssignment.objects.create(
        application=app,
        reviewer=reviewer,
        assigned_by=ctx.user,
        auto_conflict=", ".join(conflicts),
        conflict_status=ConflictStatus.CONFLICT if conflicts else ConflictStatus.UNDECLARED,
    )
    audit.log(
        ctx,
        "application.reviewer_assign",
        app,
        changes={"reviewer": [None, str(reviewer)], "auto_conflict": assignment.auto_conflict},
    )
    if app.status == ApplicationStatus.ADMISSIBLE:
        machines.move(
            ctx,
            app,
            machines.APPLICATION,
            ApplicationStatus.UNDER_REVIEW,
            reason="Instructeur·rice affecté·e",
        )
    from citemploi.calls.tasks import notify_assignment

    assignment_id = assignment.pk
    transaction.on_commit(lambda: notify_assignment.enqueue(assignment_id))
    return assignment


@transaction.atomic
def unassign_reviewer(*, ctx: ActingContext, assignment: ReviewerAssignment) -> None:
    app = assignment.application
    _instructing(ctx, app)
    review = Review.objects.filter(assignment=assignment).first()
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise PermissionDenied("Cette évaluation est transmise : l'affectation ne peut plus être retirée.")
    audit.log(
        ctx, "application.reviewer_unassign", app, changes={"reviewer": [str(assignment.reviewer), None]}
    )
    assignment.delete()


@transaction.atomic
def declare_conflict(
    *, ctx: ActingContext, assignment: ReviewerAssignment, has_conflict: bool, comment: str = ""
) -> ReviewerAssignment:
    """The reviewer declares, before seeing the file, whether they have a conflict of interest."""
    require(ctx, "review.score")
    locked = (
        ReviewerAssignment.objects.select_for_update()
        .select_related("application__call")
        .get(pk=assignment.pk)
    )
    if locked.reviewer_id != ctx.user.pk or locked.application.call.cite_id != ctx.cite_id:
        raise PermissionDenied("Cette affectation n'est pas la vôtre.")
    if locked.conflict_status != ConflictStatus.UNDECLARED:
        raise IllegalState("Votre déclaration est déjà enregistrée.")
    if not has_conflict and locked.auto_conflict:
        raise ValidationError(
            f"Vous êtes membre de {locked.auto_conflict}, porteur ou partenaire du projet : le conflit d'intérêts "
            "est établi. La coordination confiera le dossier à une autre personne."
        )
    locked.conflict_status = ConflictStatus.CONFLICT if has_conflict else ConflictStatus.NONE
    locked.declared_at = timezone.now()
    locked.declaration_comment = comment.strip()
    locked.save(update_fields=["conflict_status", "declared_at", "declaration_comment"])
    audit.log(
        ctx,
        "application.conflict_declaration",
        locked.application,
        changes={"conflict_status": [ConflictStatus.UNDECLARED, locked.conflict_status]},
    )
    return locked


@transaction.atomic
def save_review(
    *,
    ctx: ActingContext,
    assignment: ReviewerAssignment,
    scores: dict[int, tuple[int | None, str]],
    comment: str = "",
    submit: bool = False,
) -> Review:
    """Save the reviewer's scores (each with its justification); `submit` sends the review, which then
    no longer changes. Every criterion must be scored and justified to submit."""
    require(ctx, "review.score")
    locked = (
        ReviewerAssignment.objects.select_for_update()
        .select_related("application__call")
        .get(pk=assignment.pk)
    )
    app = locked.application
    if locked.reviewer_id != ctx.user.pk or app.call.cite_id != ctx.cite_id:
        raise PermissionDenied("Cette affectation n'est pas la vôtre.")
    if locked.conflict_status != ConflictStatus.NONE:
        raise IllegalState("Déclarez l'absence de conflit d'intérêts avant d'évaluer ce dossier.")
    if app.status != ApplicationStatus.UNDER_REVIEW:
        raise IllegalState("Ce dossier n'est pas en instruction.")
    review, _ = Review.objects.get_or_create(assignment=locked)
    if review.status == ReviewStatus.SUBMITTED:
        raise IllegalState("Votre évaluation est transmise : elle ne se modifie plus.")
    criteria = list(app.call.criteria.all())
    errors: dict[str, str] = {}
    kept: list[Score] = []
    for c in criteria:
        score, justification = scores.get(c.pk, (None, ""))
        justification = (justification or "").strip()
        if score is None:
            if submit:
                errors[f"score_{c.pk}"] = "Notez ce critère."
            continue
        if not 0 <= int(score) <= c.max_score:
            errors[f"score_{c.pk}"] = f"Note de 0 à {c.max_score}."
            continue
        if not justification:
            errors[f"justification_{c.pk}"] = "La justification est obligatoire."
            continue
        kept.append(Score(review=review, criterion=c, score=int(score), justification=justification))
    if errors:
        raise ValidationError(errors)
    review.scores.all().delete()
    Score.objects.bulk_create(kept)
    review.comment = comment.strip()
    fields = ["comment", "updated_at"]
    if submit:
        review.status = ReviewStatus.SUBMITTED
        review.submitted_at = timezone.now()
        fields += ["status", "submitted_at"]
    review.save(update_fields=fields)
    audit.log(
        ctx,
        "review.submit" if submit else "review.save",
        app,
        changes={"scores": {str(s.criterion_id): s.score for s in kept}},
    )
    return review


@transaction.atomic
def propose_to_committee(*, ctx: ActingContext, app: Application, reason: str = "") -> Application:
    """Put a reviewed file on the steering committee's agenda (at least one review transmitted)."""
    _instructing(ctx, app)
    if not Review.objects.filter(assignment__application=app, status=ReviewStatus.SUBMITTED).exists():
        raise ValidationError(
            "Au moins une évaluation doit être transmise avant de proposer le dossier au comité."
        )
    return machines.move(ctx, app, machines.APPLICATION, ApplicationStatus.PROPOSED, reason=reason)
