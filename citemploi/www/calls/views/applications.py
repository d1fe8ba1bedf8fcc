"""The files: the holder's space (their files across years), creating, filling in section by section
with the rules checked live, documents, submission, withdrawal, messages; the file's page for everyone
allowed (holder, coordination, reviewers who declared no conflict)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from citemploi.calls import budget_lines, queries
from citemploi.calls.documents import receipt_pdf
from citemploi.calls.eligibility.engine import evaluate_rules, facts_for
from citemploi.calls.enums import (
    EDITABLE_STATUSES,
    FUNDED_STATUSES,
    WITHDRAWABLE_STATUSES,
    ApplicationStatus,
    Theme,
)
from citemploi.calls.models import Application, FundedActionLink
from citemploi.calls.services import applications as services
from citemploi.calls.services import funded as funded_services
from citemploi.calls.timing import format_paris
from citemploi.core import audit
from citemploi.core.policy import Scope
from citemploi.www.calls.forms.applications import (
    SECTIONS,
    ActivitiesForm,
    BudgetForm,
    DocumentForm,
    HolderForm,
    MessageForm,
    NewApplicationForm,
    ObjectivesForm,
    PartnersForm,
    ProjectForm,
)
from citemploi.www.calls.views.common import USER_ERRORS, attach_errors, flash_errors, panel, pdf_response
from citemploi.www.common import acting, action_required, paginate, render_partial_or_full


@action_required("application.create")
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a file on a published call (the holder's structure)."""
    ctx = acting(request)
    call = queries.access_call_for(ctx, pk)
    form = NewApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = services.create_application(ctx=ctx, call=call, title=form.cleaned_data["title"])
        except USER_ERRORS as exc:
            attach_errors(form, exc)
        else:
            messages.success(
                request,
                "Dossier créé. Remplissez chaque rubrique : les règles de l'appel se vérifient au fil de la saisie.",
            )
            return redirect("calls:application_edit", pk=app.pk, section="porteur")
    return render(request, "calls/application_new.html", {"call": call, "form": form})


@action_required("application.view")
def application_list(request: HttpRequest) -> HttpResponse:
    """The files in reach: the holder's own files across years, the cité's for the coordination, the
    reviewer's assigned files."""
    ctx = acting(request)
    params = {
        "status": request.GET.get("status") if request.GET.get("status") in ApplicationStatus.values else "",
        "q": (request.GET.get("q") or "").strip()[:100],
    }
    qs = queries.application_rows(ctx, params).prefetch_related("report")
    page = paginate(request, qs)
    query = request.GET.copy()
    query.pop("page", None)
    holder = ctx.scope("application.view") == Scope.OWN_STRUCTURE
    return render_partial_or_full(
        request,
        "calls/applications.html",
        "results",
        {
            "page": page,
            "params": params,
            "statuses": ApplicationStatus.choices,
            "querystring": query.urlencode(),
            "holder": holder,
            "title": "Mes dossiers" if holder else "Dossiers",
        },
    )


def _rules_panel(app: Application, facts=None) -> dict:
    facts = facts or facts_for(app)
    return panel(facts, evaluate_rules(app.call.rules.all(), facts))


@action_required("application.view")
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk)
    scope = ctx.scope("application.view")
    editable = app.status in EDITABLE_STATUSES and queries.can(ctx, "application.edit", app)
    context = {
        "app": app,
        "call": app.call,
        "theme": Theme(app.theme).label if app.theme in Theme.values else "",
        "qpvs": list(app.qpvs.order_by("code")),
        "partners": list(app.partners.select_related("structure")),
        "objectives": list(app.objectives.all()),
        "activities": list(app.activities.all()),
        "budget": _budget_rows(app),
        "documents": list(app.documents.all()),
        "transitions": list(app.transitions.all()),
        "versions": list(app.versions.only("number", "created_at", "application_id")),
        "sections": SECTIONS,
        "editable": editable,
        "can_submit": editable and ctx.can("application.submit"),
        "can_withdraw": app.status in WITHDRAWABLE_STATUSES and queries.can(ctx, "application.edit", app),
        "can_instruct": ctx.can("application.instruct"),
        "can_message": ctx.can("application.message"),
        "holder_view": scope == Scope.OWN_STRUCTURE,
        "complete_by": app.complete_by,
        "submitted_at": format_paris(app.submitted_at) if app.submitted_at else "",
        **_funded_context(ctx, app),
    }
    context.update(_rules_panel(app))
    return render(request, "calls/application_detail.html", context)


def _funded_context(ctx, app: Application) -> dict:
    """The links of a funded action to the directory and the roadmap (one query, for funded files only)."""
    funded = (
        FundedActionLink.objects.filter(application=app).select_related("service", "roadmap_action").first()
        if app.status in FUNDED_STATUSES
        else None
    )
    return {
        "funded": funded,
        "can_link": app.status in FUNDED_STATUSES
        and ctx.can("agreement.manage")
        and (funded is None or not funded.complete),
        "can_see_service": ctx.can("service.view"),
        "can_see_roadmap": ctx.can("roadmap.view"),
    }


@require_POST
@action_required("agreement.manage")
def funded_links(request: HttpRequest, pk: int) -> HttpResponse:
    """Create what is missing of the funded action's service and roadmap action."""
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, "application.instruct", log_read=False)
    try:
        link = funded_services.link_funded_action(ctx=ctx, app=app)
    except USER_ERRORS as exc:
        flash_errors(request, exc)
    else:
        if link.complete:
            messages.success(request, "L'action est inscrite dans l'annuaire et dans la feuille de route.")
        else:
            messages.warning(request, link.problems or "Liens incomplets.")
    return redirect("calls:application_detail", pk=app.pk)


def _budget_rows(app: Application) -> list[dict]:
    rows = []
    for e in app.budget.all():
        line = budget_lines.LINES.get(e.line)
        rows.append(
            {
                "entry": e,
                "label": line.label if line else e.line,
                "side": budget_lines.side_of(e.line) if line else "",
            }
        )
    return rows


def _section_form(section: str, app: Application, data=None, files=None):
    cite_id = app.call.cite_id
    if section == "porteur":
        return HolderForm(data, instance=app)
    if section == "projet":
        return ProjectForm(data, instance=app, initial={"qpvs": list(app.qpvs.all())})
    if section == "partenaires":
        rows: list[dict] = [
            {"structure": p.structure, "name": p.name, "role": p.role}
            for p in app.partners.select_related("structure")
        ]
        return PartnersForm(data, instance=app, initial_rows=rows, cite_id=cite_id)
    if section == "objectifs":
        rows = [
            {"title": o.title, "indicator": o.indicator, "unit": o.unit, "target": o.target}
            for o in app.objectives.all()
        ]
        return ObjectivesForm(data, instance=app, initial_rows=rows)
    if section == "activites":
        rows = [
            {"title": a.title, "description": a.description, "planned_hours": a.planned_hours}
            for a in app.activities.all()
        ]
        return ActivitiesForm(data, instance=app, initial_rows=rows)
    if section == "budget":
        return BudgetForm(data, instance=app)
    raise Http404("Rubrique inconnue.")


def _save_section(ctx, section: str, app: Application, form) -> None:
    if section in ("porteur", "projet"):
        data = form.service_data()
        qpvs = list(form.cleaned_data["qpvs"]) if section == "projet" else None
        services.update_application(
            ctx=ctx, app=app, data=data, qpvs=qpvs, expected_version=form.cleaned_data.get("version")
        )
    elif section == "partenaires":
        services.set_partners(ctx=ctx, app=app, rows=form.rows(), expected_version=form.expected_version)
    elif section == "objectifs":
        services.set_objectives(ctx=ctx, app=app, rows=form.rows(), expected_version=form.expected_version)
    elif section == "activites":
        services.set_activities(ctx=ctx, app=app, rows=form.rows(), expected_version=form.expected_version)
    elif section == "budget":
        services.set_budget(ctx=ctx, app=app, entries=form.entries(), expected_version=form.expected_version)


def _next_section(section: str) -> str:
    keys = list(SECTIONS)
    i = keys.index(section)
    return keys[i + 1] if i + 1 < len(keys) else section


def _editable_app(request: HttpRequest, pk: int) -> Application | HttpResponse:
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, "application.edit", log_read=False)
    if app.status not in EDITABLE_STATUSES:
        messages.info(request, f"Le dossier est « {app.get_status_display()} » : il ne se modifie plus.")
        return redirect("calls:application_detail", pk=app.pk)
    return app


@action_required("application.edit")
def application_edit(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """One section of the file, with the rules panel beside it (refreshed live by `application_check`)."""
    if section not in SECTIONS:
        raise Http404("Rubrique inconnue.")
    app = _editable_app(request, pk)
    if isinstance(app, HttpResponse):
        return app
    if section == "pieces":
        return _documents_section(request, app)
    ctx = acting(request)
    form = _section_form(section, app, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        app.refresh_from_db()
        try:
            _save_section(ctx, section, app, form)
        except USER_ERRORS as exc:
            if hasattr(form, "add_error"):
                attach_errors(form, exc)
            else:
                flash_errors(request, exc)
        else:
            messages.success(request, f"Rubrique « {SECTIONS[section]} » enregistrée.")
            if request.POST.get("then") == "detail":
                return redirect("calls:application_detail", pk=app.pk)
            return redirect("calls:application_edit", pk=app.pk, section=_next_section(section))
    context = {"app": app, "call": app.call, "section": section, "sections": SECTIONS, "form": form}
    facts = facts_for(app)
    if request.method == "POST" and form.is_valid():
        facts = form.overrides(facts)
    context.update(panel(facts, evaluate_rules(app.call.rules.all(), facts)))
    return render(request, f"calls/sections/{section}.html", context)


@require_POST
@action_required("application.edit")
def application_check(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """The rules panel for what is typed in a section, before saving (htmx)."""
    if section not in SECTIONS or section == "pieces":
        raise Http404("Rubrique inconnue.")
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, "application.edit", log_read=False)
    facts = facts_for(app)
    form = _section_form(section, app, request.POST)
    valid = form.is_valid()
    if valid:
        facts = form.overrides(facts)
    context = {"app": app, "section": section, "unsaved": True, "typing_errors": not valid}
    context.update(panel(facts, evaluate_rules(app.call.rules.all(), facts)))
    return render(request, "calls/_rules_panel.html", context)


def _documents_section(request: HttpRequest, app: Application) -> HttpResponse:
    ctx = acting(request)
    form = DocumentForm(request.POST or None, request.FILES or None, call=app.call)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_document(
                ctx=ctx, app=app, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except USER_ERRORS as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Pièce jointe au dossier.")
            return redirect("calls:application_edit", pk=app.pk, section="pieces")
    present = set(app.documents.values_list("kind", flat=True))
    required = [(d, d.code in present) for d in app.call.required_documents.all()]
    context = {
        "app": app,
        "call": app.call,
        "section": "pieces",
        "sections": SECTIONS,
        "form": form,
        "documents": list(app.documents.all()),
        "required": required,
    }
    context.update(_rules_panel(app))
    return render(request, "calls/sections/pieces.html", context)


@action_required("application.view")
def document_download(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """A joined document, for the people who may see the file only (never served by the web server)."""
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, log_read=False)
    document = queries.document_for(ctx, app, document_pk)
    audit.log(ctx, "application.document_read", app, changes={"document": document.pk})
    # Documents are small (10 Mo at most): read whole, so that no file handle outlives the request.
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404("Fichier introuvable.") from exc
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=document.original_name
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@action_required("application.edit")
def document_delete(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    ctx = acting(request)
    app = _editable_app(request, pk)
    if isinstance(app, HttpResponse):
        return app
    document = queries.document_for(ctx, app, document_pk)
    try:
        services.delete_document(ctx=ctx, document=document)
        messages.success(request, "Pièce retirée.")
    except USER_ERRORS as exc:
        flash_errors(request, exc)
    return redirect("calls:application_edit", pk=app.pk, section="pieces")


@action_required("application.submit")
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Check every rule, then submit: blocking rules refuse the submission and say why."""
    ctx = acting(request)
    app = _editable_app(request, pk)
    if isinstance(app, HttpResponse):
        return app
    failures = []
    if request.method == "POST":
        try:
            result = services.submit_application(ctx=ctx, app=app)
        except services.SubmissionRefused as exc:
            failures = exc.failures
            messages.error(
                request, "Le dossier n'a pas été déposé : corrigez les points bloquants ci-dessous."
            )
        except USER_ERRORS as exc:
            flash_errors(request, exc)
        else:
            messages.success(
                request,
                f"Dossier déposé le {format_paris(result.application.submitted_at)}. Un accusé de réception vous est envoyé par e-mail.",
            )
            return redirect("calls:application_detail", pk=app.pk)
    context = {"app": app, "call": app.call, "failures": failures}
    context.update(_rules_panel(app))
    return render(request, "calls/application_submit.html", context)


@require_POST
@action_required("application.edit")
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, "application.edit", log_read=False)
    try:
        services.withdraw_application(
            ctx=ctx, app=app, reason=(request.POST.get("reason") or "").strip()[:2000]
        )
        messages.success(request, "Dossier retiré.")
    except USER_ERRORS as exc:
        flash_errors(request, exc)
    return redirect("calls:application_detail", pk=app.pk)


@action_required("application.message")
def application_messages(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, "application.message", log_read=False)
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_message(ctx=ctx, app=app, body=form.cleaned_data["body"])
        except USER_ERRORS as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Message envoyé.")
            return redirect("calls:application_messages", pk=app.pk)
    return render(
        request,
        "calls/messages.html",
        {
            "app": app,
            "thread": list(app.messages.all()),
            "form": form,
            "can_view": ctx.can("application.view"),
        },
    )


@action_required("application.view")
def application_receipt(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, log_read=False)
    version = app.versions.filter(number=number).select_related("application__call__cite").first()
    if version is None:
        raise Http404("Introuvable.")
    return pdf_response(receipt_pdf(version), f"accuse-reception-{app.reference}-v{number}.pdf")
