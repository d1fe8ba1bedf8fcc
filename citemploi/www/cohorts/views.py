from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from citemploi.cohorts import figures, minutes, queries, services
from citemploi.cohorts.enums import CohortState, MemberState
from citemploi.cohorts.machine import TransitionRefused
from citemploi.core.concurrency import StaleEdit
from citemploi.people import queries as people_queries
from citemploi.www.cohorts.forms import (
    CohortForm,
    DecisionForm,
    ExitForm,
    PeriodForm,
    ProposeForm,
    SessionForm,
)
from citemploi.www.common import acting, action_required


def _attach_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _messages_of(exc: Exception) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


# --- Cohorts ------------------------------------------------------------------------------------------------


@action_required("cohort.view")
def cohort_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    cohorts = (
        queries.cohorts_for(ctx)
        .annotate(
            integrated=Count("members", filter=Q(members__state=MemberState.INTEGRATED)),
            candidates=Count(
                "members", filter=Q(members__state__in=[MemberState.PROPOSED, MemberState.WAITING])
            ),
        )
        .order_by("state", "-start_date", "name", "id")
    )
    return render(
        request,
        "cohorts/list.html",
        {
            "cohorts": cohorts,
            "can_manage": ctx.can("cohort.manage"),
            "can_sessions": ctx.can("commission.view"),
        },
    )


@action_required("cohort.manage")
def cohort_create(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = CohortForm(request.POST or None, ctx=ctx)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.create_cohort(
                ctx=ctx,
                data=form.service_data(),
                referent_structures=form.cleaned_data["referent_structures"],
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"La cohorte « {cohort} » a été créée (brouillon).")
            return redirect("cohorts:detail", pk=cohort.pk)
    return render(request, "cohorts/form.html", {"form": form, "cohort": None})


@action_required("cohort.manage")
def cohort_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    cohort = queries.access_cohort_for(ctx, pk, "cohort.manage")
    form = CohortForm(request.POST or None, instance=cohort, ctx=ctx, initial={"version": cohort.version})
    if request.method == "POST" and form.is_valid():
        cohort.refresh_from_db()
        try:
            services.update_cohort(
                ctx=ctx,
                cohort=cohort,
                data=form.service_data(),
                referent_structures=form.cleaned_data["referent_structures"],
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "Cohorte enregistrée.")
            return redirect("cohorts:detail", pk=cohort.pk)
    return render(request, "cohorts/form.html", {"form": form, "cohort": cohort})


@require_POST
@action_required("cohort.manage")
def cohort_state(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    cohort = queries.access_cohort_for(ctx, pk, "cohort.manage")
    state = request.POST.get("state", "")
    if state not in CohortState.values:
        messages.error(request, "État inconnu.")
    else:
        try:
            services.set_cohort_state(ctx=ctx, cohort=cohort, state=state)
            messages.success(request, f"La cohorte est maintenant « {CohortState(state).label.lower()} ».")
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
    return redirect("cohorts:detail", pk=cohort.pk)


def _period(request: HttpRequest, cohort) -> tuple[PeriodForm, date, date]:
    today = timezone.localdate()
    end = min(today, cohort.end_date) if cohort.end_date else today
    start = cohort.start_date
    form = PeriodForm(request.GET or None, initial={"du": start, "au": max(start, end)})
    if form.is_valid():
        start = form.cleaned_data["du"] or start
        end = form.cleaned_data["au"] or end
        if end < start:
            form.add_error("au", "La fin de la période doit suivre son début.")
            start, end = cohort.start_date, max(cohort.start_date, today)
    return form, start, max(start, end)


@action_required("cohort.view")
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort page: funnel and target, the candidates this user may see by state, the sessions."""
    ctx = acting(request)
    cohort = queries.access_cohort_for(ctx, pk)
    period_form, start, end = _period(request, cohort)
    funnel = figures.funnel(cohort, start, end)
    level = queries.visibility(ctx)
    members = list(queries.with_card_data(queries.members_for(ctx, cohort)).order_by("proposed_on", "id"))
    cards = queries.candidates(ctx, members, purpose="members_read")
    by_state = [
        {"state": s.value, "label": s.label, "cards": [c for c in cards if c.member.state == s.value]}
        for s in MemberState
    ]
    counts = queries.state_counts(cohort)
    sessions = list(queries.sessions_for(ctx).filter(cohorts=cohort).order_by("-held_on", "-id"))
    return render(
        request,
        "cohorts/detail.html",
        {
            "cohort": cohort,
            "structures": list(cohort.referent_structures.order_by("name")),
            "period_form": period_form,
            "funnel": funnel,
            "counts": counts,
            "level": level.value,
            "by_state": [g for g in by_state if g["cards"]],
            "shown": len(cards),
            "total": sum(counts.values()),
            "sessions": sessions,
            "can_manage": ctx.can("cohort.manage"),
            "can_propose": ctx.can("cohort.propose") and cohort.state == CohortState.OPEN,
            "can_exit": ctx.can("cohort.exit"),
        },
    )


@action_required("cohort.propose")
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose one of the people my structure follows for this cohort."""
    ctx = acting(request)
    cohort = queries.access_cohort_for(ctx, pk)
    people = people_queries.beneficiaries_for(ctx, "cohort.propose").order_by("last_name", "first_name", "id")
    form = ProposeForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose(
                ctx=ctx,
                cohort=cohort,
                beneficiary=form.cleaned_data["beneficiary"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "La personne est proposée : elle pourra être inscrite à l'ordre du jour d'une commission.",
            )
            return redirect("cohorts:detail", pk=cohort.pk)
    return render(request, "cohorts/propose.html", {"form": form, "cohort": cohort, "b": None})


@action_required("cohort.propose")
def propose_person(request: HttpRequest, person_pk: int) -> HttpResponse:
    """From a person's file: choose the open cohort to propose them for."""
    ctx = acting(request)
    person = people_queries.access_beneficiary_for(ctx, person_pk, "cohort.propose", log_read=False)
    cohorts = queries.cohorts_for(ctx).filter(state=CohortState.OPEN).order_by("name")
    form = ProposeForm(request.POST or None, cohorts=cohorts)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose(
                ctx=ctx,
                cohort=form.cleaned_data["cohort"],
                beneficiary=person,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{person.first_name} est proposé·e pour la cohorte « {form.cleaned_data['cohort']} ».",
            )
            return redirect("people:detail", pk=person.pk)
    return render(request, "cohorts/propose.html", {"form": form, "cohort": None, "b": person})


@action_required("cohort.exit")
def exit_member(request: HttpRequest, member_pk: int) -> HttpResponse:
    ctx = acting(request)
    member = queries.access_member_for(ctx, member_pk, "cohort.exit")
    form = ExitForm(request.POST or None, initial={"exited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.exit_member(ctx=ctx, member=member, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "La sortie de la cohorte est enregistrée.")
            return redirect("cohorts:detail", pk=member.cohort_id)
    card = queries.candidates(ctx, [member], purpose="member_read")[0]
    return render(request, "cohorts/exit.html", {"form": form, "member": member, "card": card})


# --- Commission sessions ------------------------------------------------------------------------------------


@action_required("commission.view")
def session_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    sessions = (
        queries.sessions_for(ctx)
        .annotate(items=Count("agenda", distinct=True))
        .prefetch_related("cohorts")
        .order_by("-held_on", "-id")
    )
    return render(
        request,
        "cohorts/session_list.html",
        {"sessions": sessions, "can_manage": ctx.can("commission.manage")},
    )


def _session_form_submit(request: HttpRequest, form: SessionForm, session=None):
    ctx = acting(request)
    data = {
        "title": form.cleaned_data["title"],
        "held_on": form.cleaned_data["held_on"],
        "place": form.cleaned_data["place"],
        "chair": form.cleaned_data.get("chair"),
    }
    kwargs = {
        "cohorts": list(form.cleaned_data["cohorts"]),
        "convened": list(form.cleaned_data["convened"]),
        "present": list(form.cleaned_data["present"]),
        "agenda": list(form.cleaned_data["agenda"]),
    }
    if session is None:
        return services.create_session(ctx=ctx, data=data, **kwargs)
    return services.update_session(
        ctx=ctx, session=session, data=data, expected_version=form.cleaned_data.get("version"), **kwargs
    )


@action_required("commission.manage")
def session_create(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = SessionForm(
        request.POST or None, ctx=ctx, cohorts=queries.cohorts_for(ctx).exclude(state=CohortState.DRAFT)
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = _session_form_submit(request, form)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "Séance enregistrée.")
            return redirect("cohorts:session_detail", pk=session.pk)
    return render(request, "cohorts/session_form.html", {"form": form, "session": None})


@action_required("commission.manage")
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk, "commission.manage")
    if session.locked:
        messages.error(request, str(services.SessionLocked()))
        return redirect("cohorts:session_detail", pk=session.pk)
    form = SessionForm(
        request.POST or None,
        instance=session,
        ctx=ctx,
        cohorts=queries.cohorts_for(ctx).exclude(state=CohortState.DRAFT),
        initial={"version": session.version},
    )
    if request.method == "POST" and form.is_valid():
        session.refresh_from_db()
        try:
            _session_form_submit(request, form, session)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except (StaleEdit, services.SessionLocked) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Séance enregistrée.")
            return redirect("cohorts:session_detail", pk=session.pk)
    return render(request, "cohorts/session_form.html", {"form": form, "session": session})


@action_required("commission.view")
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk)
    attendees = list(session.attendees.select_related("membership__user", "membership__structure"))
    can_decide = queries.can_decide(ctx, session) and not session.locked
    return render(
        request,
        "cohorts/session_detail.html",
        {
            "session": session,
            "cohorts": list(queries.cohorts_for(ctx).filter(sessions=session).order_by("name")),
            "present": [queries.member_label(a.membership) for a in attendees if a.present],
            "absent": [queries.member_label(a.membership) for a in attendees if not a.present],
            "chair": queries.member_label(session.chair) if session.chair else "la coordination",
            "rows": queries.agenda_for(ctx, session),
            "can_decide": can_decide,
            "can_close": queries.can_decide(ctx, session) and not session.locked,
            "can_manage": ctx.can("commission.manage") and not session.locked,
            "decision_form": DecisionForm(),
        },
    )


@require_POST
@action_required("commission.decide")
def decide(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk, "commission.decide")
    item = session.agenda.select_related("member").filter(member_id=member_pk).first()
    form = DecisionForm(request.POST)
    if item is None:
        messages.error(request, "Cette personne n'est pas inscrite à l'ordre du jour de la séance.")
    elif not form.is_valid():
        messages.error(
            request, "Décision non enregistrée : choisissez intégré·e, en attente ou non retenu·e."
        )
    else:
        try:
            services.record_decision(ctx=ctx, session=session, member=item.member, **form.cleaned_data)
            messages.success(request, "Décision enregistrée.")
        except (ValidationError, services.SessionLocked, services.Recused, PermissionDenied) as exc:
            messages.error(request, _messages_of(exc))
    return redirect("cohorts:session_detail", pk=session.pk)


@require_POST
@action_required("commission.decide")
def session_close(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk, "commission.decide")
    try:
        services.close_session(ctx=ctx, session=session)
        messages.success(
            request, "Séance clôturée : les décisions sont verrouillées et appliquées aux candidatures."
        )
    except (services.SessionLocked, TransitionRefused, PermissionDenied) as exc:
        messages.error(request, _messages_of(exc))
    return redirect("cohorts:session_detail", pk=session.pk)


@action_required("commission.view")
def session_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    session = queries.access_session_for(ctx, pk)
    queries.log_candidates(
        ctx, list(session.agenda.values_list("member__beneficiary_id", flat=True)), purpose="minutes_read"
    )
    response = HttpResponse(minutes.minutes_pdf(ctx, session), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="commission-{session.held_on:%Y-%m-%d}-{session.pk}.pdf"'
    )
    return response
