"""Screens of a person's pathway: diagnostic (barriers), suggested services, plan, hand-over."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from citemploi.core.concurrency import StaleEdit
from citemploi.pathways import queries, services
from citemploi.people import queries as people_queries
from citemploi.www.common import acting, action_required
from citemploi.www.pathways.forms import ActionForm, BarrierForm, HandOverForm, ObjectiveForm, TransitionForm


def _attach_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _orientation_url() -> str | None:
    """The orientation form, when the orientations domain provides it."""
    try:
        return reverse("orientations:create")
    except NoReverseMatch:
        return None


def _detail_url(pk: int) -> str:
    return reverse("pathways:detail", kwargs={"pk": pk})


@action_required("pathway.view")
def pathway_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, pk)
    b = pathway.beneficiary
    today = timezone.localdate()
    records = list(queries.barriers_of(pathway).prefetch_related("transitions__by"))
    queries.log_sensitive_read(ctx, pathway, records)
    objectives = list(queries.objectives_of(pathway))
    suggestions = queries.suggestions_for(ctx, pathway, records, today)
    can_edit = ctx.can("pathway.edit") and people_queries.can(ctx, "pathway.edit", b)
    rows = [
        {
            "record": r,
            "identified_by_label": queries.structure_label(ctx, r.identified_by_structure, b),
            "form": TransitionForm(
                choices=r.allowed_transitions, initial={"version": r.version}, prefix=f"barrier-{r.pk}"
            ),
        }
        for r in records
    ]
    plan = [
        {
            "objective": o,
            "form": TransitionForm(
                choices=o.allowed_transitions, initial={"version": o.version}, prefix=f"objective-{o.pk}"
            ),
            "actions": [
                {
                    "action": a,
                    "overdue": a.is_overdue(today),
                    "owner_label": _owner_label(ctx, a, b),
                    "form": TransitionForm(
                        choices=a.allowed_transitions, initial={"version": a.version}, prefix=f"action-{a.pk}"
                    ),
                }
                for a in o.actions.all()
            ],
        }
        for o in objectives
    ]
    return render(
        request,
        "pathways/detail.html",
        {
            "b": b,
            "pathway": pathway,
            "responsible_label": people_queries.responsible_structure_label(ctx, b),
            "rows": rows,
            "open_count": sum(1 for r in records if r.is_open),
            "plan": plan,
            "overdue_count": sum(1 for o in plan for a in o["actions"] if a["overdue"]),
            "suggestions": [s for s in suggestions.by_barrier.values()],
            "place_known": suggestions.place_known,
            "orientation_url": _orientation_url(),
            "handovers": queries.handovers_of(ctx, pathway),
            "can_edit": can_edit,
            "can_handover": ctx.can("pathway.handover") and people_queries.can(ctx, "pathway.handover", b),
            "today": today,
        },
    )


def _owner_label(ctx: Any, action: Any, b: Any) -> str:
    parts = []
    if action.owner_membership is not None:
        parts.append(str(action.owner_membership.user))
    if action.owner_structure is not None:
        parts.append(queries.structure_label(ctx, action.owner_structure, b))
    return ", ".join(parts) or "—"


@action_required("pathway.edit")
def barrier_create(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, pk, "pathway.edit")
    b = pathway.beneficiary
    sensitive_allowed = people_queries.can(ctx, "beneficiary.edit_sensitive", b)
    form = BarrierForm(request.POST or None, sensitive_allowed=sensitive_allowed)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_barrier(
                ctx=ctx,
                beneficiary=b,
                barrier=data["barrier"],
                situation=data.get("situation"),
                severity=data["severity"],
                source=data["source"],
                comment=data.get("comment") or "",
                identified_on=data.get("identified_on"),
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Frein ajouté au diagnostic.")
            return redirect(_detail_url(b.pk) + "#diagnostic")
    return render(request, "pathways/barrier_form.html", {"form": form, "b": b, "record": None})


@action_required("pathway.edit")
def barrier_edit(request: HttpRequest, pk: int, barrier_pk: int) -> HttpResponse:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, pk, "pathway.edit")
    b = pathway.beneficiary
    record = queries.access_barrier_for(pathway, barrier_pk)
    form = BarrierForm(
        request.POST or None,
        sensitive_allowed=people_queries.can(ctx, "beneficiary.edit_sensitive", b),
        record=record,
        initial={
            "situation": record.situation_id,
            "severity": record.severity,
            "source": record.source,
            "comment": record.comment,
            "version": record.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data.get(k) for k in ("situation", "severity", "source", "comment")}
        data["comment"] = data["comment"] or ""
        try:
            services.update_barrier(
                ctx=ctx, record=record, data=data, expected_version=form.cleaned_data.get("version")
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Frein mis à jour.")
            return redirect(_detail_url(b.pk) + "#diagnostic")
    return render(request, "pathways/barrier_form.html", {"form": form, "b": b, "record": record})


def _transition(request: HttpRequest, obj: Any, prefix: str, apply: Any) -> None:
    form = TransitionForm(request.POST, choices=obj.allowed_transitions, prefix=prefix)
    if not form.is_valid():
        messages.error(request, "Changement non enregistré : choisissez un nouvel état proposé.")
        return
    try:
        apply(
            form.cleaned_data["to_state"],
            form.cleaned_data.get("reason") or "",
            form.cleaned_data.get("version"),
        )
    except StaleEdit as exc:
        messages.error(request, str(exc))
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, f"Changement non enregistré : {text}")
    else:
        messages.success(request, "Changement enregistré.")


@require_POST
@action_required("pathway.edit")
def barrier_transition(request: HttpRequest, pk: int, barrier_pk: int) -> HttpResponse:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, pk, "pathway.edit", log_read=False)
    record = queries.access_barrier_for(pathway, barrier_pk)
    _transition(
        request,
        record,
        f"barrier-{record.pk}",
        lambda to, reason, version: services.transition_barrier(
            ctx=ctx, record=record, to_state=to, reason=reason, expected_version=version
        ),
    )
    return redirect(_detail_url(pathway.beneficiary.pk) + "#diagnostic")


@action_required("pathway.edit")
def objective_create(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, pk, "pathway.edit")
    b = pathway.beneficiary
    form = ObjectiveForm(request.POST or None, pathway=pathway)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_objective(
                ctx=ctx,
                beneficiary=b,
                title=form.cleaned_data["title"],
                barriers=list(form.cleaned_data["barriers"]),
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Objectif ajouté au plan.")
            return redirect(_detail_url(b.pk) + "#plan")
    return render(request, "pathways/objective_form.html", {"form": form, "b": b})


@require_POST
@action_required("pathway.edit")
def objective_transition(request: HttpRequest, pk: int, objective_pk: int) -> HttpResponse:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, pk, "pathway.edit", log_read=False)
    objective = queries.access_objective_for(pathway, objective_pk)
    _transition(
        request,
        objective,
        f"objective-{objective.pk}",
        lambda to, reason, version: services.transition_objective(
            ctx=ctx, objective=objective, to_status=to, reason=reason, expected_version=version
        ),
    )
    return redirect(_detail_url(pathway.beneficiary.pk) + "#plan")


@action_required("pathway.edit")
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, pk, "pathway.edit")
    b = pathway.beneficiary
    initial = {}
    if request.GET.get("objectif", "").isdigit():
        initial["objective"] = int(request.GET["objectif"])
    form = ActionForm(request.POST or None, ctx=ctx, pathway=pathway, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_action(
                ctx=ctx,
                objective=data["objective"],
                title=data["title"],
                owner_membership=data.get("owner_membership"),
                owner_structure=data.get("owner_structure"),
                due_on=data.get("due_on"),
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Action ajoutée au plan.")
            return redirect(_detail_url(b.pk) + "#plan")
    return render(
        request,
        "pathways/action_form.html",
        {"form": form, "b": b, "has_objectives": form.fields["objective"].queryset.exists()},
    )


@require_POST
@action_required("pathway.edit")
def action_transition(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, pk, "pathway.edit", log_read=False)
    action = queries.access_action_for(pathway, action_pk)
    _transition(
        request,
        action,
        f"action-{action.pk}",
        lambda to, reason, version: services.transition_action(
            ctx=ctx, action=action, to_status=to, reason=reason, expected_version=version
        ),
    )
    return redirect(_detail_url(pathway.beneficiary.pk) + "#plan")


@action_required("pathway.handover")
def handover(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    pathway = queries.access_pathway_for(ctx, pk, "pathway.handover")
    b = pathway.beneficiary
    form = HandOverForm(request.POST or None, ctx=ctx, beneficiary=b, initial={"version": b.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hand_over(
                ctx=ctx,
                beneficiary=b,
                to_structure=data["to_structure"],
                to_referent=data.get("to_referent"),
                reason=data["reason"],
                consent_given_on=data["consent_given_on"],
                consent_method=data["consent_method"],
                keep_in_followup=data.get("keep_in_followup") or False,
                expected_version=data.get("version"),
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Le relais est passé à {data['to_structure']}.")
            if people_queries.can(ctx, "pathway.view", b):
                return redirect(_detail_url(b.pk))
            return redirect("people:list")
    return render(
        request,
        "pathways/handover_form.html",
        {"form": form, "b": b, "responsible_label": people_queries.responsible_structure_label(ctx, b)},
    )
