"""The shared diagnostic: reference indicators of the QPV and the offer-vs-need matrix."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from citemploi.core.access import not_found
from citemploi.core.concurrency import StaleEdit
from citemploi.core.spreadsheets import download, table_response
from citemploi.diagnostic import queries, services
from citemploi.diagnostic.imports import SAMPLE, ReferenceImportError, decode
from citemploi.diagnostic.imports import import_references as run_import
from citemploi.diagnostic.models import VALUE_FIELDS, QPVReference
from citemploi.diagnostic.queries import Matrix
from citemploi.secrecy import services as secrecy_services
from citemploi.secrecy.models import Audience, SecrecySettings, SuppressionLog
from citemploi.www.budget.charts import bar_chart
from citemploi.www.common import acting, action_required
from citemploi.www.diagnostic.forms import ImportForm, ReferenceForm, ThresholdsForm


def _home_url(code: str) -> str:
    return f"{reverse('diagnostic:home')}?qpv={code}"


def _chart(matrix: Matrix):
    return bar_chart(
        f"{matrix.qpv.name} : besoins (personnes) et offre (services) par frein",
        ["Personnes concernées", "Services disponibles", "Recherches sans résultat"],
        [(row.label, [row.demand, row.supply, row.empty_searches]) for row in matrix.rows],
    )


def _reference_rows(reference: QPVReference | None) -> list[tuple[str, object, bool]]:
    if reference is None:
        return []
    rows = []
    for name in VALUE_FIELDS:
        field = QPVReference._meta.get_field(name)
        rows.append(
            (
                str(field.verbose_name).capitalize(),
                getattr(reference, name),
                name.startswith(("share", "unemployment", "poverty")),
            )
        )
    return rows


@action_required("diagnostic.view")
def home(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    qpvs = list(queries.qpvs_for(ctx))
    code = request.GET.get("qpv") or (qpvs[0].code if qpvs else "")
    qpv = next((q for q in qpvs if q.code == code), None)
    context: dict = {
        "qpvs": qpvs,
        "qpv": qpv,
        "can_manage": ctx.can("diagnostic.manage"),
        "unknown": bool(code) and qpv is None,
    }
    if qpv is not None:
        matrix = queries.matrix(ctx, qpv, timezone.localdate())
        references = queries.references_of(qpv)
        latest = references[0] if references else None
        context |= {
            "matrix": matrix,
            "chart": _chart(matrix),
            "latest": latest,
            "reference_rows": _reference_rows(latest),
            "other_years": [r.year for r in references[1:]],
            "ratio": queries.UNCOVERED_RATIO,
            "current_year": timezone.localdate().year,
        }
    return render(request, "diagnostic/home.html", context)


EXPORT_STEPS_HEADER = "Services — "  # followed by the step's label


@action_required("diagnostic.view")
def export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    ctx = acting(request)
    qpv = queries.access_qpv(ctx, code)
    matrix = queries.matrix(ctx, qpv, timezone.localdate())
    header = [
        "Frein",
        "Personnes concernées",
        *[EXPORT_STEPS_HEADER + label for _, label in matrix.steps],
        "Services (total)",
        "Recherches sans résultat (12 mois)",
        "Besoin non couvert",
    ]
    rows = [
        [
            row.label,
            "secret" if row.demand is None else row.demand,
            *row.supply_by_step,
            row.supply,
            row.empty_searches,
            row.uncovered,
        ]
        for row in matrix.rows
    ]
    return table_response(f"diagnostic-{qpv.code}", fmt, header, rows)


@action_required("diagnostic.manage")
def reference_edit(request: HttpRequest, code: str, year: int) -> HttpResponse:
    ctx = acting(request)
    qpv = queries.access_qpv(ctx, code, "diagnostic.manage")
    reference = QPVReference.objects.filter(qpv=qpv, year=year).first()
    initial = {"version": reference.version if reference else None}
    if reference is not None:
        initial |= {name: getattr(reference, name) for name in ["source", *VALUE_FIELDS]}
    form = ReferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        try:
            services.save_reference(ctx, qpv=qpv, year=year, version=version, values=values)
        except (StaleEdit, services.ReferenceError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Indicateurs {year} de {qpv.name} enregistrés.")
            return redirect(_home_url(qpv.code))
    return render(request, "diagnostic/reference_edit.html", {"form": form, "qpv": qpv, "year": year})


@action_required("diagnostic.manage")
def import_references(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    error_title = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        allowed = set(queries.qpvs_for(ctx, "diagnostic.manage").values_list("pk", flat=True))
        try:
            result = run_import(
                decode(upload.read()),
                year=form.cleaned_data["year"],
                ctx=ctx,
                allowed_qpv_ids=allowed,
                file_name=upload.name,
            )
        except ReferenceImportError as exc:
            error_title, errors = exc.message, exc.errors
        else:
            if result.created or result.updated:
                messages.success(
                    request,
                    f"Import terminé : {result.created} QPV créé(s), {result.updated} mis à jour, "
                    f"{result.unchanged} inchangé(s).",
                )
            else:
                messages.info(request, "Aucun changement : les indicateurs étaient déjà à jour.")
            return redirect(_home_url(result.codes[0]))
    return render(
        request, "diagnostic/import.html", {"form": form, "errors": errors, "error_title": error_title}
    )


@action_required("diagnostic.manage")
def template_csv(request: HttpRequest) -> HttpResponse:
    return download(SAMPLE.encode("utf-8"), "indicateurs-qpv-modele.csv", "text/csv; charset=utf-8")


LOG_ROWS = 50


@action_required("secrecy.manage")
def secrecy(request: HttpRequest) -> HttpResponse:
    """The cité's statistical secrecy thresholds per audience, and the latest suppressions."""
    ctx = acting(request)
    if ctx.cite_id is None:  # secrecy.manage has the CITE scope only
        raise not_found()
    thresholds = secrecy_services.thresholds_of_cite(ctx.cite_id)
    versions = dict(SecrecySettings.objects.filter(cite_id=ctx.cite_id).values_list("audience", "version"))
    initial = {f"threshold_{a}": t for a, t in thresholds.items()} | {
        f"version_{a}": versions.get(a) for a in Audience.values
    }
    form = ThresholdsForm(request.POST or None, initial=initial, audiences=list(Audience.choices))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                for audience in Audience.values:
                    value = form.cleaned_data[f"threshold_{audience}"]
                    if value != thresholds[audience] or audience in versions:
                        secrecy_services.set_threshold(
                            ctx=ctx,
                            audience=audience,
                            threshold=value,
                            # 0: the form saw no setting for this audience (one created since is a conflict)
                            version=form.cleaned_data[f"version_{audience}"] or 0,
                        )
        except (StaleEdit, ValueError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Seuils de secret statistique enregistrés.")
            return redirect("diagnostic:secrecy")
    logs = list(SuppressionLog.objects.filter(cite_id=ctx.cite_id).order_by("-created_at", "-id")[:LOG_ROWS])
    return render(request, "diagnostic/secrecy.html", {"form": form, "logs": logs, "log_rows": LOG_ROWS})
