from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from citemploi.partnership import exports, figures
from citemploi.partnership.queries import events as queries
from citemploi.partnership.services import events as services
from citemploi.partnership.services.common import StaleEdit
from citemploi.people import queries as people_queries
from citemploi.www.common import acting, action_required, paginate, render_partial_or_full
from citemploi.www.partnership.forms.common import attach_errors
from citemploi.www.partnership.forms.events import (
    AddParticipantForm,
    EventFilterForm,
    EventForm,
    NewParticipantForm,
    ParticipantSearchForm,
)


@action_required("event.view")
def event_list(request: HttpRequest) -> HttpResponse:
    """Events of the cité filtered by kind, QPV and period, with the figures of the selection."""
    ctx = acting(request)
    form = EventFilterForm(request.GET or None, ctx=ctx)
    params = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, queries.event_rows(ctx, params))
    rows = [(event, figures.event_figures(event), queries.organisers_of(event)) for event in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render_partial_or_full(
        request,
        "partnership/event_list.html",
        "results",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "summary": figures.summarise(queries.filter_events(queries.events_for(ctx), params)),
            "querystring": query.urlencode(),
            "can_record": ctx.can("event.record"),
        },
    )


@action_required("event.view")
def event_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered events with their figures, as CSV or XLSX (numbers only, no name)."""
    ctx = acting(request)
    form = EventFilterForm(request.GET or None, ctx=ctx)
    params = form.cleaned_data if form.is_valid() else {}
    return exports.events_response(list(queries.event_rows(ctx, params).select_related("qpv")), fmt)


@action_required("event.record")
def event_create(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = EventForm(request.POST or None, ctx=ctx)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.create_event(
                ctx=ctx,
                data=form.service_data(),
                organisers=form.cleaned_data["organisers"],
                partners=form.cleaned_data["partners"],
                employers=form.cleaned_data["employers"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"L'action « {event} » est enregistrée.")
            return redirect("partnership:event_detail", pk=event.pk)
    return render(request, "partnership/event_form.html", {"form": form, "event": None})


@action_required("event.record")
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    event = queries.access_event_for(ctx, pk, "event.record")
    form = EventForm(request.POST or None, instance=event, ctx=ctx)
    if request.method == "POST" and form.is_valid():
        event.refresh_from_db()
        try:
            services.update_event(
                ctx=ctx,
                event=event,
                data=form.service_data(),
                organisers=form.cleaned_data["organisers"],
                partners=form.cleaned_data["partners"],
                employers=form.cleaned_data["employers"],
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Action enregistrée.")
            return redirect("partnership:event_detail", pk=event.pk)
    return render(request, "partnership/event_form.html", {"form": form, "event": event})


def _detail_context(request: HttpRequest, event, search_form=None, found=None) -> dict:
    ctx = acting(request)
    participants = queries.participants_for(ctx, event)
    return {
        "event": event,
        "figures": figures.event_figures(event),
        "organisers": queries.organisers_of(event),
        "partners": queries.partners_of(event),
        "employers": event.employers.order_by("name"),
        "participants": participants,
        "can_record": queries.can_record(ctx, event),
        "can_participants": queries.can_manage_participants(ctx, event),
        "can_register": queries.can_manage_participants(ctx, event) and ctx.can("beneficiary.create"),
        "search_form": search_form or ParticipantSearchForm(),
        "found": found,
    }


@action_required("event.view")
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    event = queries.access_event_detail_for(ctx, pk)
    return render(request, "partnership/event_detail.html", _detail_context(request, event))


@action_required("event.participants")
def participant_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Find a person the user may see, to record their attendance (htmx fragment or full page)."""
    ctx = acting(request)
    event = queries.access_event_detail_for(ctx, pk)
    form = ParticipantSearchForm(request.GET or None)
    found = queries.search_people_to_add(ctx, event, form.cleaned_data["q"]) if form.is_valid() else None
    context = _detail_context(request, event, search_form=form, found=found)
    return render_partial_or_full(request, "partnership/event_detail.html", "search_results", context)


@require_POST
@action_required("event.participants")
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    event = queries.access_event_for(ctx, pk)
    form = AddParticipantForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez la personne à inscrire.")
        return redirect("partnership:event_detail", pk=event.pk)
    person = people_queries.access_beneficiary_for(ctx, form.cleaned_data["beneficiary"], log_read=False)
    try:
        services.add_participant(ctx=ctx, event=event, beneficiary=person)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, f"La présence de {person} est enregistrée.")
    return redirect(f"{reverse('partnership:event_detail', kwargs={'pk': event.pk})}#participants")


@require_POST
@action_required("event.participants")
def participant_remove(request: HttpRequest, pk: int, participation_pk: int) -> HttpResponse:
    ctx = acting(request)
    event = queries.access_event_for(ctx, pk)
    participation = queries.access_participation_for(ctx, event, participation_pk)
    person = participation.beneficiary
    services.remove_participant(ctx=ctx, participation=participation)
    messages.success(request, f"{person} est retiré·e des participant·es (sa fiche est conservée).")
    return redirect("partnership:event_detail", pk=event.pk)


@action_required("event.participants")
def participant_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a new person met at the event: their file is created with the event as how they were found,
    or, if the cité already knows them, their attendance is recorded on their existing file."""
    ctx = acting(request)
    event = queries.access_event_for(ctx, pk)
    if not ctx.can("beneficiary.create"):
        raise PermissionDenied("Votre rôle ne permet pas de créer une fiche.")
    form = NewParticipantForm(request.POST or None, ctx=ctx)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.register_new_participant(
                ctx=ctx,
                event=event,
                data=form.service_data(),
                responsible_structure=form.cleaned_data.get("responsible_structure"),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if registration.outcome == "existing_hidden":
                messages.info(request, registration.message)
            else:
                messages.success(request, registration.message)
            if request.POST.get("next") == "again":
                return redirect("partnership:participant_register", pk=event.pk)
            return redirect("partnership:event_detail", pk=event.pk)
    return render(request, "partnership/participant_register.html", {"form": form, "event": event})
