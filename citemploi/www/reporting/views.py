"""Indicator screens: the cité dashboard, its QPV and partner pages, the national page, the exports and the
national quarterly questionnaire.

Coordinators see their cité's figures exactly; steering members see them through statistical secrecy; the
national animator sees aggregates across cités, protected, on the national page only.
"""

import json
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, resolve, reverse
from django.views.decorators.http import require_POST

from citemploi.budget.queries import BudgetSummary, euros
from citemploi.core.access import not_found
from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext
from citemploi.core.policy import Role, Scope
from citemploi.core.spreadsheets import XLSX_TYPE, csv_bytes, download, xlsx_bytes
from citemploi.partners.models import Structure
from citemploi.reporting import copil, dashboard, queries, services
from citemploi.reporting.indicators import Cut, Period, Query
from citemploi.reporting.models import QuarterlyReport
from citemploi.reporting.protection import NATIONAL, STEERING
from citemploi.reporting.questionnaire import national_aggregates
from citemploi.territory.models import QPV, Cite
from citemploi.www.budget.charts import bar_chart
from citemploi.www.common import acting, action_required, render_partial_or_full
from citemploi.www.reporting.forms import AdjustForm, OpenQuestionnaireForm, PeriodForm, VersionForm

CITE_CUTS = [Cut.NONE, Cut.QPV, Cut.GENDER, Cut.AGE_BAND, Cut.STRUCTURE, Cut.COHORT, Cut.ACTION]
NATIONAL_CUTS = [Cut.NONE, Cut.CITE, Cut.GENDER, Cut.AGE_BAND]


def _audience(ctx: ActingContext) -> str | None:
    """Exact figures for the coordination; protected ones for everyone else."""
    return None if ctx.role == Role.COORDINATOR else STEERING


def _allowed_url(ctx: ActingContext, name: str, args: tuple = (), params: dict | None = None) -> str | None:
    """The URL of a list if the acting role may open it (the screen's own policy action decides)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    action = getattr(resolve(url).func, "required_action", None)
    if action is None or not ctx.can(action):
        return None
    clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    return f"{url}?{urlencode(clean)}" if clean else url


def _links(ctx: ActingContext, sections: list[dashboard.Section], query: Query) -> None:
    """Every figure links to the list behind it when the user may see that list."""
    qpv = query.qpv_id or ""
    structure = query.structure_id or ""
    start, end = query.period.start.isoformat(), query.period.end.isoformat()
    for section in sections:
        for block in section.blocks:
            code = block.indicator.code
            for key, _ in block.shown.table.categories:
                url = None
                if code in ("people.identified", "people.invisible_reached"):
                    invisible = "on" if code == "people.invisible_reached" else ""
                    url = _allowed_url(
                        ctx,
                        "people:list",
                        params={"channel": key, "qpv": qpv, "structure": structure, "invisible": invisible},
                    )
                elif code in ("events.count", "events.participants"):
                    url = _allowed_url(
                        ctx,
                        "partnership:event_list",
                        params={
                            "kind": key,
                            "qpv": qpv,
                            "structure": structure,
                            "date_from": start,
                            "date_to": end,
                        },
                    )
                elif code in ("offer.services_by_step", "offer.services_stale"):
                    stale = "oui" if code == "offer.services_stale" else ""
                    url = _allowed_url(
                        ctx,
                        "offer:list",
                        params={"etape": key, "a_actualiser": stale, "structure": structure},
                    )
                elif code == "offer.services_by_barrier":
                    url = _allowed_url(ctx, "offer:list", params={"frein": key, "structure": structure})
                elif code.startswith("calls."):
                    url = _allowed_url(ctx, "calls:applications")
                if url:
                    block.links[key] = url


def _dashboard(
    request: HttpRequest,
    *,
    title: str,
    query_for,  # type: ignore[no-untyped-def]
    cuts: list[Cut],
    audience: str | None,
    cite_id: int | None,
    export_name: str,
    export_args: tuple = (),
    scope_params: dict | None = None,
    extra: dict | None = None,
    codes: tuple[str, ...] | None = None,
    with_budget: bool = False,
) -> HttpResponse:
    """A dashboard page; `with_budget`: the cité home's budget block and its Copil report link."""
    ctx = acting(request)
    form = PeriodForm(request.GET or None, cuts=cuts)
    query: Query = query_for(form.period(), form.cut())
    sections = dashboard.build(query, audience=audience, cite_id=cite_id, codes=codes)
    _links(ctx, sections, query)
    if with_budget:
        extra = {
            **(extra or {}),
            "budget": dashboard.budget_block(ctx, query.period.end.year),
            "copil_url": _copil_url(ctx, query.period),
        }
    params = request.GET.copy()
    for key, value in (scope_params or {}).items():
        params[key] = value
    querystring = params.urlencode()
    suffix = f"?{querystring}" if querystring else ""
    context = {
        "title": title,
        "form": form,
        "query": query,
        "period": query.period,
        "period_query": urlencode(
            {"debut": query.period.start.isoformat(), "fin": query.period.end.isoformat()}
            if query.period.kind == "custom"
            else {"periode": query.period.token}
        ),
        "sections": sections,
        "protected": audience is not None,
        "can_export": ctx.can("indicator.export"),
        "export_xlsx": reverse(export_name, args=(*export_args, "xlsx")) + suffix,
        "export_csv": reverse(export_name, args=(*export_args, "csv")) + suffix,
        "action_url": request.path,
        "national": False,
        "cite_count": 0,
        "qpvs": [],
        "structures": [],
        "cohorts": [],
        "back": "",
        "budget": None,
        "budget_chart": None,
        "copil_url": "",
        **(extra or {}),
    }
    if context["budget"] is not None:
        _budget_links(ctx, context, query)
    return render_partial_or_full(request, "reporting/dashboard.html", "figures", context)


def _budget_links(ctx: ActingContext, context: dict, query: Query) -> None:
    """The budget block's link to the budget screen (when allowed) and its chart."""
    block: dashboard.BudgetBlock = context["budget"]
    block.url = _allowed_url(ctx, "budget:home", params={"annee": block.year})
    if block.summary is not None:
        context["budget_chart"] = budget_chart(block.summary)


def _copil_url(ctx: ActingContext, period: Period) -> str:
    url = _allowed_url(ctx, "reporting:copil_report")
    if url is None:
        return ""
    params = (
        {"debut": period.start.isoformat(), "fin": period.end.isoformat()}
        if period.kind == "custom"
        else {"periode": period.token}
    )
    return f"{url}?{urlencode(params)}"


def _export(
    request: HttpRequest,
    fmt: str,
    *,
    codes: tuple[str, ...] | None = None,
    query_for,
    cuts: list[Cut],
    audience: str | None,
    cite_id: int | None,
    stem: str,  # type: ignore[no-untyped-def]
) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("Format inconnu.")
    form = PeriodForm(request.GET or None, cuts=cuts)
    query: Query = query_for(form.period(), form.cut())
    sections = dashboard.build(query, audience=audience, cite_id=cite_id, codes=codes)
    filename = f"{stem}-{query.period.token.replace('..', '_')}"
    if fmt == "csv":
        return download(
            csv_bytes(dashboard.FLAT_HEADER, dashboard.flat_rows(sections)),
            f"{filename}.csv",
            "text/csv; charset=utf-8",
        )
    sheets = {}
    for section in sections:
        for block in section.blocks:
            sheets[block.indicator.name[:31]] = dashboard.sheet_rows(block)
    return download(xlsx_bytes(sheets), f"{filename}.xlsx", XLSX_TYPE)


def budget_chart(summary: BudgetSummary):  # type: ignore[no-untyped-def]
    """The budget screen's chart: planned, committed and paid per category."""
    return bar_chart(
        f"Budget {summary.budget.year} par catégorie : prévu, engagé et versé",
        ["Prévu", "Engagé", "Versé"],
        [(line.label, [line.planned, line.committed, line.paid]) for line in summary.lines],
        formatter=euros,
    )


def _cite_scope(ctx: ActingContext) -> Cite:
    if ctx.cite is None:
        raise not_found()
    return ctx.cite


# --- Cité dashboard ------------------------------------------------------------------------------------------


@action_required("indicator.view")
def home(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    if ctx.scope("indicator.view") == Scope.ALL:
        return redirect("reporting:national")
    cite = _cite_scope(ctx)
    return _dashboard(
        request,
        title=f"Indicateurs de la cité — {cite.name}",
        query_for=lambda period, cut: Query((cite.pk,), period, cut),
        cuts=CITE_CUTS,
        audience=_audience(ctx),
        cite_id=cite.pk,
        export_name="reporting:export",
        extra={
            "qpvs": QPV.objects.filter(cites=cite).order_by("name"),
            "structures": _structures(cite),
            "cohorts": _cohorts(cite),
        },
        with_budget=True,
    )


@action_required("copil_report.download")
def copil_report(request: HttpRequest) -> HttpResponse:
    """The report for the steering committee of the period chosen on the dashboard, as a PDF."""
    ctx = acting(request)
    form = PeriodForm(request.GET or None, cuts=[Cut.NONE])
    if form.is_bound and not form.is_valid():
        errors = " ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, f"Rapport non généré : {errors}")
        return redirect(reverse("reporting:home"))
    pdf, filename = copil.download(ctx=ctx, period=form.period())
    return download(pdf, filename, "application/pdf")


def _structures(cite: Cite):  # type: ignore[no-untyped-def]
    # Sensitive structures have no page: nobody may learn whom they follow.
    return Structure.objects.filter(partnerships__cite=cite, sensitive=False).distinct().order_by("name")


@action_required("indicator.export")
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    ctx = acting(request)
    if ctx.scope("indicator.export") == Scope.ALL:
        return redirect(reverse("reporting:national_export", args=(fmt,)))
    cite = _cite_scope(ctx)
    qpv_id = _qpv_id(cite, request.GET.get("qpv_code"))
    structure_id = _structure_id(cite, request.GET.get("structure_id"))
    # A cohort page's export: the tables of that page only (the others do not read the cohort filter).
    cohort_id = _cohort_id(cite, request.GET.get("cohort_id"))
    return _export(
        request,
        fmt,
        codes=dashboard.COHORT_CODES if cohort_id else None,
        query_for=lambda period, cut: Query(
            (cite.pk,), period, cut, qpv_id=qpv_id, structure_id=structure_id, cohort_id=cohort_id
        ),
        cuts=[c for c in CITE_CUTS if c not in (Cut.COHORT, Cut.ACTION)] if cohort_id else CITE_CUTS,
        audience=_audience(ctx),
        cite_id=cite.pk,
        stem=f"indicateurs-{cite.slug}",
    )


def _cohorts(cite: Cite):  # type: ignore[no-untyped-def]
    from citemploi.cohorts.models import Cohort

    return Cohort.objects.filter(cite=cite).order_by("-start_date", "name")


def _cohort_id(cite: Cite, raw: str | None) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not _cohorts(cite).filter(pk=int(raw)).exists():
        raise not_found()
    return int(raw)


@action_required("indicator.view")
def cohort_page(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    if ctx.scope("indicator.view") == Scope.ALL:
        return redirect("reporting:national")
    cite = _cite_scope(ctx)
    cohort = _cohorts(cite).filter(pk=pk).first()
    if cohort is None:
        raise not_found()
    return _dashboard(
        request,
        title=f"Indicateurs de la cohorte {cohort.name}",
        query_for=lambda period, cut: Query((cite.pk,), period, cut, cohort_id=cohort.pk),
        cuts=[c for c in CITE_CUTS if c not in (Cut.COHORT, Cut.ACTION)],
        audience=_audience(ctx),
        cite_id=cite.pk,
        export_name="reporting:export",
        scope_params={"cohort_id": str(cohort.pk)},
        extra={"back": reverse("reporting:home")},
        codes=dashboard.COHORT_CODES,
    )


def _qpv_id(cite: Cite, code: str | None) -> int | None:
    if not code:
        return None
    qpv = QPV.objects.filter(cites=cite, code=code).first()
    if qpv is None:
        raise not_found()
    return qpv.pk


def _structure_id(cite: Cite, raw: str | None) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not _structures(cite).filter(pk=int(raw)).exists():
        raise not_found()
    return int(raw)


@action_required("indicator.view")
def qpv_page(request: HttpRequest, code: str) -> HttpResponse:
    ctx = acting(request)
    if ctx.scope("indicator.view") == Scope.ALL:
        return redirect("reporting:national")
    cite = _cite_scope(ctx)
    qpv = QPV.objects.filter(cites=cite, code=code).first()
    if qpv is None:
        raise not_found()
    return _dashboard(
        request,
        title=f"Indicateurs du QPV {qpv.name} ({qpv.code})",
        query_for=lambda period, cut: Query((cite.pk,), period, cut, qpv_id=qpv.pk),
        cuts=[c for c in CITE_CUTS if c != Cut.QPV],
        audience=_audience(ctx),
        cite_id=cite.pk,
        export_name="reporting:export",
        scope_params={"qpv_code": qpv.code},
        extra={"back": reverse("reporting:home")},
    )


@action_required("indicator.view")
def structure_page(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    if ctx.scope("indicator.view") == Scope.ALL:
        return redirect("reporting:national")
    cite = _cite_scope(ctx)
    structure = _structures(cite).filter(pk=pk).first()
    if structure is None:
        raise not_found()
    return _dashboard(
        request,
        title=f"Indicateurs de la structure {structure.name}",
        query_for=lambda period, cut: Query((cite.pk,), period, cut, structure_id=structure.pk),
        cuts=[c for c in CITE_CUTS if c != Cut.STRUCTURE],
        audience=_audience(ctx),
        cite_id=cite.pk,
        export_name="reporting:export",
        scope_params={"structure_id": str(structure.pk)},
        extra={"back": reverse("reporting:home")},
    )


# --- National page -------------------------------------------------------------------------------------------


def _all_cites() -> tuple[int, ...]:
    return tuple(Cite.objects.order_by("pk").values_list("pk", flat=True))


@action_required("indicator.national")
def national(request: HttpRequest) -> HttpResponse:
    cites = _all_cites()
    return _dashboard(
        request,
        title="Indicateurs nationaux des cités de l'emploi",
        query_for=lambda period, cut: Query(cites, period, cut),
        cuts=NATIONAL_CUTS,
        audience=NATIONAL,
        cite_id=None,
        export_name="reporting:national_export",
        extra={"national": True, "cite_count": len(cites)},
    )


@action_required("indicator.national")
def national_export(request: HttpRequest, fmt: str) -> HttpResponse:
    cites = _all_cites()
    return _export(
        request,
        fmt,
        query_for=lambda period, cut: Query(cites, period, cut),
        cuts=NATIONAL_CUTS,
        audience=NATIONAL,
        cite_id=None,
        stem="indicateurs-national",
    )


# --- Quarterly questionnaire ---------------------------------------------------------------------------------


@action_required("questionnaire.view")
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    reports = queries.reports_for(ctx)
    national_view = ctx.scope("questionnaire.view") == Scope.ALL
    can_manage = ctx.can("questionnaire.manage")
    form = OpenQuestionnaireForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise Http404("Introuvable.")
        if form.is_valid():
            try:
                report = services.open_report(
                    ctx=ctx, year=form.cleaned_data["annee"], quarter=form.cleaned_data["trimestre"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("reporting:questionnaire", pk=report.pk)
    elif form is not None:
        today = date.today()
        previous = Period.containing("quarter", today).previous()
        form = OpenQuestionnaireForm(
            initial={"annee": previous.start.year, "trimestre": (previous.start.month - 1) // 3 + 1}
        )
    aggregates = national_aggregates(reports) if national_view else []
    return render(
        request,
        "reporting/questionnaire_list.html",
        {
            "reports": [] if national_view else list(reports.order_by("-year", "-quarter")),
            "aggregates": aggregates,
            "national_view": national_view,
            "form": form,
        },
    )


@action_required("questionnaire.view")
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    if ctx.scope("questionnaire.view") == Scope.ALL:
        # The national animator sees questionnaires in aggregate only.
        return redirect("reporting:questionnaires")
    report = queries.access_report_for(ctx, pk)
    can_manage = ctx.can("questionnaire.manage") and report.is_draft
    return render(
        request,
        "reporting/questionnaire_detail.html",
        {
            "report": report,
            "items": [{"key": k, **v} for k, v in report.values.items()],
            "can_manage": can_manage,
            "version_form": VersionForm(initial={"version": report.version}),
        },
    )


def _managed(request: HttpRequest, pk: int) -> tuple[ActingContext, QuarterlyReport]:
    ctx = acting(request)
    return ctx, queries.access_report_for(ctx, pk, "questionnaire.manage")


@require_POST
@action_required("questionnaire.manage")
def questionnaire_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    ctx, report = _managed(request, pk)
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            services.adjust_value(
                ctx=ctx,
                report=report,
                key=form.cleaned_data["key"],
                value=form.cleaned_data["value"],
                comment=form.cleaned_data["comment"],
                version=form.cleaned_data["version"],
            )
        except StaleEdit as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Valeur corrigée.")
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, "Correction refusée : " + " ".join(errors))
    return redirect("reporting:questionnaire", pk=report.pk)


def _transition(request: HttpRequest, pk: int, service, done: str) -> HttpResponse:  # type: ignore[no-untyped-def]
    ctx, report = _managed(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Formulaire incomplet : rechargez la page.")
        return redirect("reporting:questionnaire", pk=report.pk)
    try:
        service(ctx=ctx, report=report, version=form.cleaned_data["version"])
    except StaleEdit as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("reporting:questionnaire", pk=report.pk)


@require_POST
@action_required("questionnaire.manage")
def questionnaire_validate(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.validate_report, "Questionnaire validé.")


@require_POST
@action_required("questionnaire.manage")
def questionnaire_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(
        request, pk, services.refresh_report, "Valeurs recalculées (les corrections sont gardées)."
    )


QUESTIONNAIRE_HEADER = ["Indicateur", "Ligne", "Unité", "Valeur calculée", "Valeur retenue", "Commentaire"]


def questionnaire_document(report: QuarterlyReport) -> dict:
    return {
        "cite": report.cite.name,
        "year": report.year,
        "quarter": report.quarter,
        "state": report.state,
        "validated_at": report.validated_at.isoformat() if report.validated_at else None,
        "validated_by": report.validated_by_label or None,
        "items": [
            {
                "key": key,
                "indicator": item["indicator"],
                "label": item["label"],
                "unit": item["unit"],
                "computed": item["computed"],
                "value": item["value"],
                "comment": item["comment"],
            }
            for key, item in report.values.items()
        ],
    }


@action_required("questionnaire.view")
def questionnaire_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    ctx = acting(request)
    if ctx.scope("questionnaire.view") == Scope.ALL:
        return redirect("reporting:questionnaires")
    report = queries.access_report_for(ctx, pk)
    stem = f"questionnaire-{report.cite.slug}-{report.year}-T{report.quarter}"
    if fmt == "json":
        body = json.dumps(questionnaire_document(report), ensure_ascii=False, indent=2).encode()
        return download(body, f"{stem}.json", "application/json")
    if fmt == "xlsx":
        rows = [
            [v["indicator_name"], v["label"], v["unit"], v["computed"], v["value"], v["comment"]]
            for v in report.values.values()
        ]
        return download(xlsx_bytes({stem: (QUESTIONNAIRE_HEADER, rows)}), f"{stem}.xlsx", XLSX_TYPE)
    raise Http404("Format inconnu.")
