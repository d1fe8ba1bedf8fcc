from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from citemploi.partnership.enums import TRANSITION_LABELS, ActionStatus
from citemploi.partnership.queries import roadmap as queries
from citemploi.partnership.services import roadmap as services
from citemploi.www.common import acting, action_required
from citemploi.www.partnership.forms.common import attach_errors
from citemploi.www.partnership.forms.roadmap import (
    IndicatorFormSet,
    ObjectiveForm,
    RoadmapActionForm,
    TransitionForm,
    indicator_rows,
)


@action_required("roadmap.view")
def roadmap(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    sections = queries.roadmap_for(ctx)
    counts = queries.status_counts(sections)
    return render(
        request,
        "partnership/roadmap.html",
        {
            "sections": sections,
            "status_counts": [(ActionStatus(key).label, value) for key, value in counts.items()],
            "can_manage": ctx.can("roadmap.manage"),
            "can_move_any": ctx.can("roadmap.action_status"),
            "own_structure_id": ctx.structure_id,
            "moves_everything": ctx.scope("roadmap.action_status") == "cite",
        },
    )


def _objective_form(request: HttpRequest, objective=None) -> HttpResponse:
    ctx = acting(request)
    form = ObjectiveForm(request.POST or None, instance=objective, ctx=ctx)
    formset = IndicatorFormSet(request.POST or None, instance=objective, prefix="indicateurs")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                if objective is None:
                    objective = services.create_objective(
                        ctx=ctx, data=form.service_data(), indicators=indicator_rows(formset)
                    )
                else:
                    objective.refresh_from_db()
                    services.update_objective(
                        ctx=ctx,
                        objective=objective,
                        data=form.service_data(),
                        indicators=indicator_rows(formset),
                    )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"Objectif « {objective} » enregistré.")
            return redirect(f"{reverse('partnership:roadmap')}#objectif-{objective.pk}")
    return render(
        request, "partnership/objective_form.html", {"form": form, "formset": formset, "objective": objective}
    )


@action_required("roadmap.manage")
def objective_create(request: HttpRequest) -> HttpResponse:
    return _objective_form(request)


@action_required("roadmap.manage")
def objective_edit(request: HttpRequest, pk: int) -> HttpResponse:
    objective = queries.access_objective_for(acting(request), pk, "roadmap.manage")
    return _objective_form(request, objective)


@action_required("roadmap.manage")
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    objective = queries.access_objective_for(ctx, pk, "roadmap.manage")
    form = RoadmapActionForm(request.POST or None, ctx=ctx, initial={"objective": objective.pk})
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        target = data.pop("objective")
        try:
            action = services.create_action(ctx=ctx, objective=target, data=data)
        except (ValidationError, PermissionDenied) as exc:
            attach_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
        else:
            messages.success(request, f"Action « {action} » ajoutée à la feuille de route.")
            return redirect(f"{reverse('partnership:roadmap')}#objectif-{target.pk}")
    return render(
        request, "partnership/action_form.html", {"form": form, "action": None, "objective": objective}
    )


@action_required("roadmap.manage")
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    action = queries.access_action_for(ctx, pk, "roadmap.manage")
    form = RoadmapActionForm(request.POST or None, instance=action, ctx=ctx)
    if request.method == "POST" and form.is_valid():
        action.refresh_from_db()
        try:
            action = services.update_action(ctx=ctx, action=action, data=form.service_data())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Action enregistrée.")
            return redirect(f"{reverse('partnership:roadmap')}#objectif-{action.objective_id}")
    return render(
        request,
        "partnership/action_form.html",
        {"form": form, "action": action, "objective": action.objective},
    )


@action_required("roadmap.action_status")
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an action to another status (with a reason when suspending, abandoning or reopening), and read
    the log of its past moves."""
    ctx = acting(request)
    action = queries.access_action_for(ctx, pk, "roadmap.action_status")
    moves = services.allowed_moves(action)
    form = TransitionForm(request.POST or None, moves=moves)
    if request.method == "POST" and form.is_valid():
        try:
            services.transition_action(
                ctx=ctx,
                action=action,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"Action « {action} » : {action.get_status_display().lower()}.")
            return redirect(f"{reverse('partnership:roadmap')}#objectif-{action.objective_id}")
    return render(
        request,
        "partnership/action_status.html",
        {
            "action": action,
            "form": form,
            "moves": [(m, TRANSITION_LABELS[m]) for m in moves],
            "transitions": queries.transitions_of(action),
        },
    )
