"""Instruction: the coordinator's page on a file (admissibility with the rule results, reviewers, scores
and their agreement, proposal to the committee) and the reviewer's pages (assigned files, conflict of
interest declaration, scoring grid)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from citemploi.calls import queries, scoring
from citemploi.calls.enums import ApplicationStatus, ConflictStatus, ReviewStatus
from citemploi.calls.models import Review, ReviewerAssignment
from citemploi.calls.services import instruction as services
from citemploi.www.calls.forms.instruction import AdmissibilityForm, AssignForm, DeclarationForm, ReviewForm
from citemploi.www.calls.views.applications import _rules_panel
from citemploi.www.calls.views.common import USER_ERRORS, attach_errors, flash_errors
from citemploi.www.common import acting, action_required


def file_agreement(app) -> tuple[list, scoring.FileAgreement]:
    """The reviews of a file and the agreement of the transmitted ones."""
    criteria = list(app.call.criteria.all())
    specs = [scoring.CriterionSpec(c.pk, c.label, c.weight, c.max_score, c.is_bonus) for c in criteria]
    assignments = list(
        ReviewerAssignment.objects.filter(application=app)
        .select_related("reviewer", "review")
        .order_by("assigned_at", "id")
    )
    reviews = list(Review.objects.filter(assignment__application=app).prefetch_related("scores"))
    by_assignment = {r.assignment_id: r for r in reviews}
    submitted = [
        {s.criterion_id: s.score for s in r.scores.all()}
        for r in reviews
        if r.status == ReviewStatus.SUBMITTED
    ]
    result = scoring.agreement(
        specs, submitted, spread_threshold=app.call.disagreement_points, gap_threshold=app.call.criterion_gap
    )
    rows = []
    for a in assignments:
        review = by_assignment.get(a.pk)
        scores = {s.criterion_id: s for s in review.scores.all()} if review else {}
        rows.append(
            {
                "assignment": a,
                "review": review,
                "scores": [scores.get(c.pk) for c in criteria],
                "total": scoring.total(specs, {k: v.score for k, v in scores.items()})
                if review and review.status == ReviewStatus.SUBMITTED
                else None,
            }
        )
    return [criteria, rows], result


@action_required("application.instruct")
def instruct(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator's instruction page of a file; its forms post here with an `action`."""
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, "application.instruct", log_read=request.method == "GET")
    reviewers = services.reviewers_of_cite(app.call.cite_id)
    admissibility = AdmissibilityForm(request.POST if request.POST.get("action") == "admissibility" else None)
    assign_form = AssignForm(
        request.POST if request.POST.get("action") == "assign" else None, reviewers=reviewers
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "admissibility" and admissibility.is_valid():
                decision, reason = (
                    admissibility.cleaned_data["decision"],
                    admissibility.cleaned_data.get("reason") or "",
                )
                if decision == "admissible":
                    services.declare_admissible(ctx=ctx, app=app, reason=reason)
                elif decision == "not_admissible":
                    services.declare_not_admissible(ctx=ctx, app=app, reason=reason)
                else:
                    services.request_completion(
                        ctx=ctx, app=app, reason=reason, complete_by=admissibility.cleaned_data["complete_by"]
                    )
                messages.success(request, "Décision de recevabilité enregistrée.")
                return redirect("calls:instruct", pk=app.pk)
            if action == "assign" and assign_form.is_valid():
                reviewer = assign_form.reviewers[assign_form.cleaned_data["reviewer"]]
                assignment = services.assign_reviewer(ctx=ctx, app=app, reviewer=reviewer)
                if assignment.auto_conflict:
                    messages.warning(
                        request,
                        f"{reviewer} est membre de {assignment.auto_conflict} : conflit d'intérêts, confiez le dossier à une autre personne.",
                    )
                else:
                    messages.success(request, f"Dossier confié à {reviewer}.")
                return redirect("calls:instruct", pk=app.pk)
            if action == "unassign":
                raw = request.POST.get("assignment") or ""
                removed = app.assignments.filter(pk=int(raw)).first() if raw.isdigit() else None
                if removed is None:
                    raise Http404("Introuvable.")
                services.unassign_reviewer(ctx=ctx, assignment=removed)
                messages.success(request, "Affectation retirée.")
                return redirect("calls:instruct", pk=app.pk)
            if action == "propose":
                services.propose_to_committee(
                    ctx=ctx, app=app, reason=(request.POST.get("reason") or "").strip()[:2000]
                )
                messages.success(request, "Dossier proposé au comité de pilotage.")
                return redirect("calls:instruct", pk=app.pk)
            if action not in ("admissibility", "assign"):
                messages.error(request, "Action inconnue.")
        except USER_ERRORS as exc:
            flash_errors(request, exc)
            app.refresh_from_db()
    (criteria, rows), agreement = file_agreement(app)
    context = {
        "app": app,
        "call": app.call,
        "admissibility": admissibility,
        "assign_form": assign_form,
        "can_decide_admissibility": app.status
        in (ApplicationStatus.SUBMITTED, ApplicationStatus.TO_COMPLETE),
        "can_assign": app.status in (ApplicationStatus.ADMISSIBLE, ApplicationStatus.UNDER_REVIEW)
        and bool(reviewers),
        "can_propose": app.status == ApplicationStatus.UNDER_REVIEW,
        "criteria": criteria,
        "rows": rows,
        "agreement": agreement,
        "versions": list(app.versions.all()),
        "transitions": list(app.transitions.all()),
    }
    context.update(_rules_panel(app))
    return render(request, "calls/instruct.html", context)


@action_required("review.score")
def review_list(request: HttpRequest) -> HttpResponse:
    """The reviewer's assigned files, with what is expected of them."""
    ctx = acting(request)
    assignments = list(queries.assignments_for(ctx).select_related("review").order_by("-assigned_at", "-id"))
    return render(request, "calls/review_list.html", {"assignments": assignments})


@action_required("review.score")
def declaration(request: HttpRequest, pk: int) -> HttpResponse:
    """Before seeing the file, the reviewer declares whether they have a conflict of interest."""
    ctx = acting(request)
    assignment = queries.access_assignment_for(ctx, pk)
    if assignment.conflict_status != ConflictStatus.UNDECLARED:
        if assignment.conflict_status == ConflictStatus.NONE:
            return redirect("calls:evaluation", pk=assignment.pk)
        messages.info(request, "Conflit d'intérêts : ce dossier sera confié à une autre personne.")
        return redirect("calls:review_list")
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_conflict(
                ctx=ctx,
                assignment=assignment,
                has_conflict=form.cleaned_data["has_conflict"],
                comment=form.cleaned_data.get("comment") or "",
            )
        except USER_ERRORS as exc:
            attach_errors(form, exc)
        else:
            if form.cleaned_data["has_conflict"]:
                messages.info(request, "Merci : la coordination confiera ce dossier à une autre personne.")
                return redirect("calls:review_list")
            return redirect("calls:evaluation", pk=assignment.pk)
    app = assignment.application
    partners = [str(p) for p in app.partners.select_related("structure")]
    return render(
        request,
        "calls/declaration.html",
        {"assignment": assignment, "app": app, "partners": partners, "form": form},
    )


@action_required("review.score")
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring grid of the call for one assigned file (after the declaration)."""
    ctx = acting(request)
    assignment = queries.access_assignment_for(ctx, pk)
    if assignment.conflict_status != ConflictStatus.NONE:
        return redirect("calls:declaration", pk=assignment.pk)
    app = queries.access_application_for(ctx, assignment.application_id, log_read=request.method == "GET")
    review = Review.objects.filter(assignment=assignment).prefetch_related("scores").first()
    scores = {s.criterion_id: s for s in review.scores.all()} if review else {}
    criteria = list(app.call.criteria.all())
    form = ReviewForm(
        request.POST or None,
        criteria=criteria,
        scores=scores,
        initial={"comment": review.comment if review else ""},
    )
    submitted = review is not None and review.status == ReviewStatus.SUBMITTED
    if request.method == "POST" and not submitted and form.is_valid():
        submit = request.POST.get("submit") == "1"
        try:
            services.save_review(
                ctx=ctx,
                assignment=assignment,
                scores=form.scores(),
                comment=form.cleaned_data.get("comment") or "",
                submit=submit,
            )
        except USER_ERRORS as exc:
            attach_errors(form, exc)
        else:
            if submit:
                messages.success(request, "Évaluation transmise.")
                return redirect("calls:review_list")
            messages.success(request, "Évaluation enregistrée (brouillon).")
            return redirect("calls:evaluation", pk=assignment.pk)
    context = {
        "assignment": assignment,
        "app": app,
        "call": app.call,
        "form": form,
        "submitted": submitted,
        "review": review,
        "objectives": list(app.objectives.all()),
        "can_edit": app.status == ApplicationStatus.UNDER_REVIEW and not submitted,
    }
    context.update(_rules_panel(app))
    return render(request, "calls/evaluation.html", context)
