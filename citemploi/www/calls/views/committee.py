"""The steering committee (Copil): sessions, ranking, envelope scenarios, decisions, lock, letters and
minutes as PDF. Steering members see and record decisions; they never see the files' contacts."""

from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from citemploi.calls import documents, queries
from citemploi.calls.enums import ApplicationStatus, DecisionOutcome
from citemploi.calls.services import committee as services
from citemploi.www.calls.forms.followup import DecisionForm, MinutesForm, ScenarioForm, SessionForm
from citemploi.www.calls.views.common import USER_ERRORS, attach_errors, flash_errors, pdf_response
from citemploi.www.common import acting, action_required


@action_required("committee.view")
def session_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    sessions = list(queries.sessions_for(ctx).order_by("-held_on", "-id"))
    calls = list(queries.calls_for(ctx).order_by("-year", "title"))
    return render(
        request,
        "calls/sessions.html",
        {"sessions": sessions, "calls": calls, "can_decide": ctx.can("committee.decide")},
    )


@action_required("committee.decide")
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    call = queries.access_call_for(ctx, pk)
    form = SessionForm(request.POST or None, initial={"title": "Comité de pilotage"})
    proposed = call.applications.filter(status=ApplicationStatus.PROPOSED).count()
    if request.method == "POST" and form.is_valid():
        try:
            session = services.create_session(
                ctx=ctx,
                call=call,
                held_on=form.cleaned_data["held_on"],
                title=form.cleaned_data.get("title") or "",
                place=form.cleaned_data.get("place") or "",
                attendees=form.cleaned_data.get("attendees") or "",
            )
        except USER_ERRORS as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request, f"Séance créée avec {session.decisions.count()} dossier(s) à l'ordre du jour."
            )
            return redirect("calls:session", pk=session.pk)
    return render(request, "calls/session_new.html", {"call": call, "form": form, "proposed": proposed})


def _session_context(ctx, session) -> dict:
    ranked = services.ranking(session)
    envelope = services.envelope_of(session.call, exclude_session=session)
    selected = sum(
        (r.decision.amount or Decimal(0) for r in ranked if r.decision.outcome == DecisionOutcome.SELECTED),
        Decimal(0),
    )
    can_decide = ctx.can("committee.decide") and not session.locked
    scenarios = []
    for s in session.scenarios.prefetch_related("lines"):
        total = sum((line.amount for line in s.lines.all()), Decimal(0))
        scenarios.append(
            {
                "scenario": s,
                "total": total,
                "remaining": envelope.remaining - total,
                "over": total > envelope.remaining,
            }
        )
    return {
        "session": session,
        "call": session.call,
        "ranked": ranked,
        "decision_forms": {
            r.decision.pk: DecisionForm(
                initial={
                    "outcome": r.decision.outcome,
                    "amount": r.decision.amount,
                    "conditions": r.decision.conditions,
                    "reason": r.decision.reason,
                },
                prefix=f"d{r.decision.pk}",
            )
            for r in ranked
        },
        "envelope": envelope,
        "selected_total": selected,
        "remaining_after": envelope.remaining - selected,
        "over": selected > envelope.remaining,
        "scenarios": scenarios,
        "scenario_form": ScenarioForm(decisions=[r.decision for r in ranked]),
        "minutes_form": MinutesForm(instance=session),
        "can_decide": can_decide,
    }


@action_required("committee.view")
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk)
    context = _session_context(ctx, session)
    context["rows"] = [(r, context["decision_forms"][r.decision.pk]) for r in context["ranked"]]
    return render(request, "calls/session.html", context)


@require_POST
@action_required("committee.decide")
def decision_save(request: HttpRequest, pk: int, decision_pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk, "committee.decide")
    decision = queries.access_decision_for(ctx, session, decision_pk)
    form = DecisionForm(request.POST, prefix=f"d{decision.pk}")
    if form.is_valid():
        try:
            services.save_decision(
                ctx=ctx,
                decision=decision,
                outcome=form.cleaned_data["outcome"],
                amount=form.cleaned_data.get("amount"),
                conditions=form.cleaned_data.get("conditions") or "",
                reason=form.cleaned_data.get("reason") or "",
            )
            messages.success(request, f"Décision enregistrée pour {decision.application.reference}.")
        except USER_ERRORS as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, "Décision non enregistrée : vérifiez la décision et le montant.")
    return redirect(reverse("calls:session", args=[session.pk]) + f"#decision-{decision.pk}")


@require_POST
@action_required("committee.decide")
def session_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Attendees and minutes; refresh the agenda."""
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk, "committee.decide")
    try:
        if request.POST.get("action") == "agenda":
            added = services.refresh_agenda(ctx=ctx, session=session)
            messages.success(request, f"{added} dossier(s) ajouté(s) à l'ordre du jour.")
        else:
            form = MinutesForm(request.POST, instance=session)
            if form.is_valid():
                services.update_session(
                    ctx=ctx,
                    session=queries.access_session_for(ctx, pk, "committee.decide"),
                    data=form.cleaned_data,
                )
                messages.success(request, "Relevé enregistré.")
            else:
                messages.error(request, "Relevé non enregistré.")
    except USER_ERRORS as exc:
        flash_errors(request, exc)
    return redirect("calls:session", pk=session.pk)


@require_POST
@action_required("committee.decide")
def scenario_save(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk, "committee.decide")
    decisions = list(session.decisions.select_related("application"))
    form = ScenarioForm(request.POST, decisions=decisions)
    if form.is_valid():
        try:
            services.save_scenario(
                ctx=ctx, session=session, name=form.cleaned_data["name"], amounts=form.amounts()
            )
            messages.success(request, "Scénario enregistré.")
        except USER_ERRORS as exc:
            flash_errors(request, exc)
    else:
        messages.error(request, "Scénario non enregistré : nommez-le et vérifiez les montants.")
    return redirect("calls:session", pk=session.pk)


@require_POST
@action_required("committee.decide")
def scenario_apply(request: HttpRequest, pk: int, scenario_pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk, "committee.decide")
    scenario = session.scenarios.filter(pk=scenario_pk).first()
    if scenario is None:
        raise Http404("Introuvable.")
    try:
        n = services.apply_scenario(ctx=ctx, scenario=scenario)
        messages.success(
            request, f"Scénario « {scenario.name} » appliqué : {n} dossier(s) retenu(s) avec ses montants."
        )
    except USER_ERRORS as exc:
        flash_errors(request, exc)
    return redirect("calls:session", pk=session.pk)


@require_POST
@action_required("committee.decide")
def session_lock(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk, "committee.decide")
    try:
        services.lock_session(ctx=ctx, session=session)
        messages.success(
            request, "Séance close : les décisions sont verrouillées et les dossiers ont changé d'état."
        )
    except USER_ERRORS as exc:
        flash_errors(request, exc)
    return redirect("calls:session", pk=session.pk)


@action_required("committee.view")
def session_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk)
    return pdf_response(
        documents.minutes_pdf(session, services.ranking(session)), f"releve-decisions-{session.pk}.pdf"
    )


@action_required("committee.view")
def decision_letter(request: HttpRequest, pk: int, decision_pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk)
    decision = queries.access_decision_for(ctx, session, decision_pk)
    if not session.locked:
        messages.info(request, "Les lettres de décision sont disponibles une fois la séance close.")
        return redirect("calls:session", pk=session.pk)
    return pdf_response(
        documents.decision_letter_pdf(decision), f"decision-{decision.reference or decision.pk}.pdf"
    )
