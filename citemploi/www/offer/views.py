"""Screens of the offer of services: list, detail, create and edit, services to update, barriers, import and
export of data·inclusion files, and the searches of the public directory that found nothing."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from citemploi.core.policy import Scope
from citemploi.core.spreadsheets import csv_bytes, download
from citemploi.offer import exporting, importing, queries, services, uploads
from citemploi.offer.enums import Mobiliser, ModeAccueil, ModeMobilisation, Public
from citemploi.offer.models import Service, stale_cutoff
from citemploi.offer.referentials import barriers_for_themes
from citemploi.partners.models import Structure
from citemploi.www.common import acting, action_required, paginate, render_partial_or_full
from citemploi.www.offer.forms import ImportForm, PeriodForm, ServiceFilterForm, ServiceForm

SESSION_KEY = "citemploi_offer_imports"
#: issues shown on the preview page; the CSV report has them all
SHOWN_ISSUES = 300


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@action_required("service.view")
def service_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    vocabulary = queries.theme_vocabulary()
    form = ServiceFilterForm(request.GET or None, ctx=ctx, vocabulary=vocabulary)
    today = timezone.localdate()
    page = paginate(request, queries.service_rows(ctx, form.params(), today))
    query = request.GET.copy()
    query.pop("page", None)
    cutoff = stale_cutoff(today)
    rows = [
        {
            "service": s,
            "stale": s.last_updated_on < cutoff,
            "barriers": ", ".join(b.label for b in barriers_for_themes(t.code for t in s.themes.all())),
        }
        for s in page.object_list
    ]
    return render_partial_or_full(
        request,
        "offer/list.html",
        "results",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": query.urlencode(),
            "can_create": ctx.can("service.create"),
            "can_import": ctx.can("service.import"),
            "can_stale_list": ctx.can("service.stale_list"),
            "can_unmet_needs": ctx.can("service.unmet_needs"),
            "export_query": query.urlencode(),
        },
    )


@action_required("service.view")
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    service = queries.access_service_for(ctx, pk)
    vocabulary = queries.theme_vocabulary()
    themes = [t.code for t in service.themes.all()]
    today = timezone.localdate()
    return render(
        request,
        "offer/detail.html",
        {
            "service": service,
            "themes": [{"code": code, "label": vocabulary.describe(code)} for code in themes],
            "barriers": barriers_for_themes(themes),
            "publics": queries.labels_of((p.code for p in service.publics.all()), Public.choices),
            "areas": list(service.areas.all()),
            "mobilisable_par": queries.labels_of(service.mobilisable_par, Mobiliser.choices),
            "modes_mobilisation": queries.labels_of(service.modes_mobilisation, ModeMobilisation.choices),
            "modes_accueil": queries.labels_of(service.modes_accueil, ModeAccueil.choices),
            "stale": service.is_stale(today),
            "current": service.is_current(today),
            "can_edit": queries.can_edit(ctx, service),
            "public_url": reverse("directory:service", args=[service.pk])
            if service.published and service.is_current(today)
            else "",
        },
    )


def _save_service(request: HttpRequest, form: ServiceForm, service: Service | None) -> Service | None:
    ctx = acting(request)
    data = form.service_data()
    structure = form.cleaned_data.get("structure") or (
        service.structure if service else queries.structures_for(ctx, "service.create").first()
    )
    try:
        if service is None:
            if structure is None:
                raise PermissionDenied("Votre structure n'est pas partenaire de la cité.")
            return services.create_service(
                ctx=ctx,
                structure=structure,
                data=data,
                themes=form.cleaned_data["themes"],
                publics=form.cleaned_data["publics"],
                areas=form.cleaned_data["areas"],
            )
        return services.update_service(
            ctx=ctx,
            service=service,
            data=data,
            themes=form.cleaned_data["themes"],
            publics=form.cleaned_data["publics"],
            areas=form.cleaned_data["areas"],
            structure=form.cleaned_data.get("structure"),
            expected_version=form.cleaned_data.get("version"),
        )
    except services.StaleEdit as exc:
        form.add_error(None, str(exc))
    except ValidationError as exc:
        _errors_to_form(form, exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    return None


@action_required("service.create")
def service_create(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    vocabulary = queries.theme_vocabulary()
    form = ServiceForm(request.POST or None, ctx=ctx, vocabulary=vocabulary, action="service.create")
    if request.method == "POST" and form.is_valid():
        service = _save_service(request, form, None)
        if service is not None:
            messages.success(request, f"Le service « {service.name} » a été ajouté.")
            return redirect("offer:detail", pk=service.pk)
    return render(
        request,
        "offer/form.html",
        {"form": form, "creating": True, "vocabulary_loaded": vocabulary.loaded, "own": ctx.structure},
    )


@action_required("service.edit")
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    service = queries.access_service_for(ctx, pk, "service.edit")
    vocabulary = queries.theme_vocabulary()
    form = ServiceForm(
        request.POST or None, instance=service, ctx=ctx, vocabulary=vocabulary, action="service.edit"
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_service(request, form, service)
        if saved is not None:
            messages.success(request, "Service enregistré.")
            return redirect("offer:detail", pk=saved.pk)
    return render(
        request,
        "offer/form.html",
        {
            "form": form,
            "creating": False,
            "service": service,
            "vocabulary_loaded": vocabulary.loaded,
            "own": ctx.structure,
        },
    )


@require_POST
@action_required("service.edit")
def service_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    service = queries.access_service_for(ctx, pk, "service.edit")
    services.confirm_up_to_date(ctx=ctx, service=service)
    messages.success(request, f"« {service.name} » est confirmé à jour.")
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("offer:detail", args=[service.pk])
    return redirect(target)


@action_required("service.stale_list")
def stale_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    today = timezone.localdate()
    page = paginate(request, queries.stale_services(ctx, today), per_page=50)
    return render(
        request,
        "offer/stale.html",
        {"page": page, "querystring": "", "cutoff": stale_cutoff(today)},
    )


@action_required("service.view")
def barrier_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    vocabulary = queries.theme_vocabulary()
    rows = [
        {
            "barrier": barrier,
            "count": count,
            "mapped": [vocabulary.label(code) for code in barrier.mapped_codes],
        }
        for barrier, count in queries.barrier_counts(ctx)
    ]
    return render(request, "offer/barriers.html", {"rows": rows, "vocabulary_loaded": vocabulary.loaded})


# --- Import -----------------------------------------------------------------------------------------------


def _pending(request: HttpRequest) -> tuple[str, dict[str, Any]] | None:
    """The upload named by ?jeton= (or the posted jeton): None without one, 404 when it is not this user's."""
    token = request.POST.get("jeton") or request.GET.get("jeton")
    if not token:
        return None
    data = request.session.get(SESSION_KEY, {}).get(token)
    ctx = acting(request)
    if (
        data is None
        or data.get("membership") != getattr(ctx.membership, "pk", None)
        or not uploads.exists(token)
    ):
        raise Http404("Ce fichier a expiré ou n'est pas le vôtre : téléversez-le de nouveau.")
    return token, data


def _forget(request: HttpRequest, token: str) -> None:
    uploads.delete(token)
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


def _import_kwargs(request: HttpRequest, token: str, data: dict[str, Any]) -> dict[str, Any]:
    ctx = acting(request)
    structure = None
    if data.get("structure"):
        structure = queries.structures_for(ctx, "service.import").filter(pk=data["structure"]).first()
    services_file = uploads.load(token, importing.SERVICES_FILE)
    if services_file is None:
        raise Http404("Ce fichier a expiré : téléversez-le de nouveau.")
    return {
        "ctx": ctx,
        "services_file": services_file,
        "structures_file": uploads.load(token, importing.STRUCTURES_FILE),
        "structure": structure,
    }


@action_required("service.import")
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1: the files (and, for coordinators, the structure to attach every service to)."""
    ctx = acting(request)
    form = ImportForm(request.POST or None, request.FILES or None, ctx=ctx)
    if request.method == "POST" and form.is_valid():
        files = {importing.SERVICES_FILE: form.cleaned_data["services_file"]}
        if form.cleaned_data.get("structures_file"):
            files[importing.STRUCTURES_FILE] = form.cleaned_data["structures_file"]
        try:
            importing.import_target(ctx, form.cleaned_data.get("structure"))
            token = uploads.store({role: (f.chunks(), f.name) for role, f in files.items()})
        except importing.ImportFileError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            pending = request.session.get(SESSION_KEY, {})
            structure = form.cleaned_data.get("structure")
            pending[token] = {
                "membership": ctx.membership.pk if ctx.membership else None,
                "structure": structure.pk if structure else None,
            }
            request.session[SESSION_KEY] = pending
            return redirect(f"{reverse('offer:import_preview')}?jeton={token}")
    return render(request, "offer/import.html", {"form": form, "own": ctx.structure})


@action_required("service.import")
def import_preview(request: HttpRequest) -> HttpResponse:
    """Step 2: the dry run's report; the import itself (POST) when no record is in error."""
    found = _pending(request)
    if found is None:
        messages.error(request, "Téléversez d'abord les fichiers à importer.")
        return redirect("offer:import")
    token, data = found
    kwargs = _import_kwargs(request, token, data)
    try:
        if request.method == "POST":
            report = importing.import_services(**kwargs)
            _forget(request, token)
            messages.success(
                request,
                f"Import terminé : {report.to_create} service(s) créé(s), {report.to_update} mis à jour, "
                f"{report.unchanged} inchangé(s)"
                + (
                    f", {report.skipped} plus récent(s) dans citemploi laissé(s) tel(s) quel(s)"
                    if report.skipped
                    else ""
                )
                + (
                    f", {len(report.structures_to_create)} structure(s) ajoutée(s) au partenariat"
                    if report.structures_to_create
                    else ""
                )
                + ".",
            )
            return redirect("offer:list")
        report = importing.preview_import(**kwargs)
    except importing.ImportRejected as rejected:
        messages.error(request, str(rejected))
        report = rejected.report
    except importing.ImportFileError as exc:
        _forget(request, token)
        messages.error(request, exc.message)
        return redirect("offer:import")
    except (ValidationError, PermissionDenied) as exc:
        _forget(request, token)
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("offer:import")
    return render(
        request,
        "offer/import_preview.html",
        {
            "report": report,
            "token": token,
            "shown_issues": report.issues[:SHOWN_ISSUES],
            "more_issues": max(0, len(report.issues) - SHOWN_ISSUES),
            "preview": report.preview(),
        },
    )


@action_required("service.import")
def import_report(request: HttpRequest) -> HttpResponse:
    """The report of a pending upload as CSV (file, line, identifier, field, value, message)."""
    found = _pending(request)
    if found is None:
        return redirect("offer:import")
    token, data = found
    try:
        report = importing.preview_import(**_import_kwargs(request, token, data))
    except importing.ImportFileError as exc:
        messages.error(request, exc.message)
        return redirect("offer:import")
    return download(
        csv_bytes(importing.REPORT_HEADER, importing.report_rows(report)),
        "rapport-import-services.csv",
        "text/csv; charset=utf-8",
    )


# --- Export -----------------------------------------------------------------------------------------------

EXPORT_TYPES = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


@action_required("service.export")
def export(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The services in reach (with the list's filters), or their structures, in the data·inclusion format."""
    if kind not in ("services", "structures") or fmt not in EXPORT_TYPES:
        raise Http404("Format inconnu.")
    ctx = acting(request)
    vocabulary = queries.theme_vocabulary()
    form = ServiceFilterForm(request.GET or None, ctx=ctx, vocabulary=vocabulary)
    today = timezone.localdate()
    qs = queries.with_details(
        queries.filter_services(queries.services_for(ctx, "service.export"), form.params(), today)
    ).order_by("name", "id")
    if kind == "services":
        records = exporting.services_records(qs, vocabulary)
        columns = exporting.SERVICE_COLUMNS
    else:
        structures = (
            Structure.objects.filter(pk__in=qs.values("structure_id"))
            .select_related("commune")
            .order_by("name", "id")
        )
        records = exporting.structures_records(structures)
        columns = exporting.STRUCTURE_COLUMNS
    content = exporting.as_json(records) if fmt == "json" else exporting.as_csv(records, columns)
    stamp = today.isoformat()
    return download(content, f"{kind}-{stamp}.{fmt}", EXPORT_TYPES[fmt])


# --- Unmet needs ------------------------------------------------------------------------------------------


@action_required("service.unmet_needs")
def unmet_needs(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = PeriodForm(request.GET or None)
    period = form.cleaned_data if form.is_valid() else {}
    rows = queries.unmet_needs(ctx, period.get("depuis"), period.get("jusqu_au"))
    return render(
        request,
        "offer/unmet_needs.html",
        {
            "form": form,
            "rows": rows,
            "total": sum(r["total"] for r in rows),
            "all_cites": ctx.scope("service.unmet_needs") == Scope.ALL,
        },
    )
