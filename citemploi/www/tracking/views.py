"""Screens of the tracking domain: a person's journal and outcomes, follow-up checks, the cité's settings.

Every read goes through citemploi.tracking.queries (itself on citemploi.people.queries), every write through
citemploi.tracking.services.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.concurrency import StaleEdit
from citemploi.core.spreadsheets import table_response
from citemploi.people import queries as people_queries
from citemploi.tracking import queries, services
from citemploi.www.common import acting, action_required, paginate, render_partial_or_full
from citemploi.www.tracking.forms import CheckForm, EntryForm, OutcomeForm, SettingsForm


def _attach_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirm_sensitive") == "1"


@action_required("journal.view")
def journal(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_journal_for(ctx, pk)
    can_write = people_queries.can(ctx, "journal.write", b)
    page = paginate(request, queries.entries_for(ctx, b))
    return render_partial_or_full(
        request,
        "tracking/journal.html",
        "entries",
        {
            "b": b,
            "page": page,
            "rows": queries.journal_rows(ctx, list(page.object_list), can_write),
            "querystring": "",
            "can_write": can_write,
        },
    )


JOURNAL_COLUMNS = ["Date", "Type", "Compte rendu", "Auteur·rice", "Structure", "Corrige l'entrée du"]


@action_required("journal.view")
def journal_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The journal as CSV or XLSX. Private notes are never exported, not even the reader's own."""
    ctx = acting(request)
    b = queries.access_journal_for(ctx, pk)
    rows = [
        [
            e.occurred_on,
            e.get_kind_display(),
            e.text,
            str(e.author),
            e.structure.name if e.structure else "",
            e.corrects.occurred_on if e.corrects else "",
        ]
        for e in queries.entries_for(ctx, b)
    ]
    response = table_response(
        f"journal-{b.pk}-{timezone.localdate().isoformat()}", fmt, JOURNAL_COLUMNS, rows
    )
    audit.log(ctx, "journal.export", b, beneficiary_id=b.pk, changes={"format": fmt, "count": len(rows)})
    return response


@action_required("journal.write")
def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_journal_for(ctx, pk, "journal.write")
    corrects = None
    corrects_pk = request.GET.get("corrige") or request.POST.get("corrects")
    if corrects_pk:
        corrects = queries.access_entry_for(ctx, b, corrects_pk)
    form = EntryForm(request.POST or None, initial={"occurred_on": timezone.localdate()})
    warning = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.write_entry(
                ctx=ctx,
                beneficiary=b,
                kind=data["kind"],
                occurred_on=data["occurred_on"],
                text=data["text"],
                private_note=data["private_note"],
                corrects=corrects,
                confirm_sensitive=_confirmed(request),
            )
        except services.SensitiveTextWarning as exc:
            warning = exc
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "Entrée ajoutée au journal.")
            return redirect("tracking:journal", pk=b.pk)
    return render(
        request,
        "tracking/entry_form.html",
        {"b": b, "form": form, "warning": warning, "corrects": corrects, "entry": None},
    )


@action_required("journal.write")
def entry_edit(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """Only the author edits an entry; others are sent back to the journal (a correcting entry is offered)."""
    ctx = acting(request)
    b = queries.access_journal_for(ctx, pk, "journal.write")
    entry = queries.access_entry_for(ctx, b, entry_pk)
    if entry.author_id != ctx.user.pk:
        messages.error(
            request, "Seul·e l'auteur·rice d'une entrée peut la modifier : ajoutez une entrée qui la corrige."
        )
        return redirect("tracking:journal", pk=b.pk)
    initial = {
        "kind": entry.kind,
        "occurred_on": entry.occurred_on,
        "text": entry.text,
        "private_note": entry.own_note,  # type: ignore[attr-defined]
        "version": entry.version,
    }
    form = EntryForm(request.POST or None, initial=initial, editing=True)
    warning = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_entry(
                ctx=ctx,
                entry=entry,
                kind=data["kind"],
                occurred_on=data["occurred_on"],
                text=data["text"],
                private_note=data["private_note"],
                expected_version=data.get("version"),
                confirm_sensitive=_confirmed(request),
            )
        except services.SensitiveTextWarning as exc:
            warning = exc
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "Entrée modifiée.")
            return redirect("tracking:journal", pk=b.pk)
    return render(
        request,
        "tracking/entry_form.html",
        {"b": b, "form": form, "warning": warning, "corrects": None, "entry": entry},
    )


@action_required("outcome.view")
def outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    b = people_queries.access_beneficiary_for(ctx, pk, "outcome.view")
    return render(
        request,
        "tracking/outcomes.html",
        {
            "b": b,
            "outcomes": list(queries.outcomes_for(b)),
            "can_record": people_queries.can(ctx, "outcome.record", b),
            "today": timezone.localdate(),
        },
    )


@action_required("outcome.record")
def outcome_create(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    b = people_queries.access_beneficiary_for(ctx, pk, "outcome.record")
    form = OutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.record_outcome(ctx=ctx, beneficiary=b, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            if outcome.is_checked:
                messages.success(
                    request, "Sortie enregistrée : les points de suivi à 3, 6 et 12 mois sont prévus."
                )
            else:
                messages.success(request, "Sortie enregistrée.")
            return redirect("tracking:outcomes", pk=b.pk)
    return render(request, "tracking/outcome_form.html", {"b": b, "form": form})


@action_required("outcome.record")
def checks_due(request: HttpRequest) -> HttpResponse:
    """The checks due on the people this user may record outcomes for."""
    ctx = acting(request)
    page = paginate(request, queries.checks_due_for(ctx))
    checks = list(page.object_list)
    people_queries.log_list(
        ctx, list({c.outcome.beneficiary_id: c.outcome.beneficiary for c in checks}.values()), purpose="list"
    )
    return render(request, "tracking/checks_due.html", {"page": page, "checks": checks, "querystring": ""})


@action_required("outcome.record")
def check_record(request: HttpRequest, check_pk: int) -> HttpResponse:
    ctx = acting(request)
    check = queries.access_check_for(ctx, check_pk)
    b = check.outcome.beneficiary
    if check.is_recorded or check.due_on > timezone.localdate():
        messages.info(
            request,
            "Ce point de suivi est déjà enregistré."
            if check.is_recorded
            else f"Ce point de suivi est à faire à partir du {check.due_on:%d/%m/%Y}.",
        )
        return redirect("tracking:outcomes", pk=b.pk)
    form = CheckForm(request.POST or None, initial={"recorded_on": timezone.localdate()})
    warning = None
    if request.method == "POST" and form.is_valid():
        try:
            services.record_check(
                ctx=ctx, check=check, **form.cleaned_data, confirm_sensitive=_confirmed(request)
            )
        except services.SensitiveTextWarning as exc:
            warning = exc
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"Point de suivi à {check.months} mois enregistré.")
            return redirect("tracking:outcomes", pk=b.pk)
    return render(
        request, "tracking/check_form.html", {"b": b, "check": check, "form": form, "warning": warning}
    )


@action_required("tracking.settings")
def settings_edit(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    current = queries.settings_for(ctx.cite_id or 0)
    form = SettingsForm(request.POST or None, instance=current, initial={"version": current.version})
    if request.method == "POST" and form.is_valid():
        current.refresh_from_db()  # the form mutated the instance; the service reads the stored row
        try:
            services.update_settings(
                ctx=ctx,
                days_without_contact=form.cleaned_data["days_without_contact"],
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "Paramètres du suivi enregistrés.")
            return redirect("tracking:settings")
    return render(request, "tracking/settings.html", {"form": form, "current": current})
