"""The cité's budget: one year's table per category, the commitments and payments, exports."""

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from citemploi.budget import queries, services
from citemploi.budget.models import Budget
from citemploi.budget.queries import BudgetSummary, euros
from citemploi.core.concurrency import StaleEdit
from citemploi.core.spreadsheets import table_response
from citemploi.www.budget.charts import bar_chart
from citemploi.www.budget.forms import (
    BudgetForm,
    CoFundingForm,
    CommitmentEditForm,
    CommitmentForm,
    PaymentForm,
    YearForm,
)
from citemploi.www.common import acting, action_required


def _home_url(year: int) -> str:
    return f"{reverse('budget:home')}?annee={year}"


def _chart(summary: BudgetSummary):
    return bar_chart(
        f"Budget {summary.budget.year} par catégorie : prévu, engagé et versé",
        ["Prévu", "Engagé", "Versé"],
        [(line.label, [line.planned, line.committed, line.paid]) for line in summary.lines],
        formatter=euros,
    )


@action_required("budget.view")
def home(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    today_year = timezone.localdate().year
    form = YearForm(request.GET or None)
    year = form.cleaned_data["annee"] if form.is_valid() else today_year
    years = queries.budget_years(ctx)
    choices = sorted(set(years) | {today_year, year}, reverse=True)
    budget = queries.find_budget(ctx, year)
    summary = queries.summary(budget) if budget else None
    return render(
        request,
        "budget/home.html",
        {
            "year": year,
            "year_choices": choices,
            "summary": summary,
            "chart": _chart(summary) if summary else None,
            "can_manage": ctx.can("budget.manage"),
            "can_export": ctx.can("budget.export"),
        },
    )


@require_POST
@action_required("budget.manage")
def create(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = YearForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Année invalide (entre 2000 et 2100).")
        return redirect("budget:home")
    year = form.cleaned_data["annee"]
    try:
        services.create_budget(ctx, year=year)
    except services.BudgetError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Budget {year} créé : renseignez la répartition par catégorie.")
    return redirect(_home_url(year))


def _budget_initial(budget: Budget) -> dict:
    return {name: getattr(budget, name) for name in services.BUDGET_FIELDS} | {"version": budget.version}


@action_required("budget.manage")
def edit(request: HttpRequest, year: int) -> HttpResponse:
    ctx = acting(request)
    budget = queries.access_budget(ctx, year, "budget.manage")
    form = BudgetForm(request.POST or None, initial=_budget_initial(budget))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_budget(
                ctx,
                budget=budget,
                version=data["version"],
                state_envelope=data["state_envelope"],
                planned_animation=data["planned_animation"],
                planned_coordination=data["planned_coordination"],
                planned_engineering=data["planned_engineering"],
                calls_category=data["calls_category"],
                note=data["note"],
            )
        except (StaleEdit, services.BudgetError) as exc:
            form.add_error(None, str(exc))
        else:
            summary = queries.summary(queries.access_budget(ctx, year))
            messages.success(request, f"Budget {year} enregistré.")
            for warning in summary.warnings:
                messages.warning(request, warning)
            return redirect(_home_url(year))
    return render(request, "budget/edit.html", {"form": form, "budget": budget})


@action_required("budget.manage")
def cofunding_add(request: HttpRequest, year: int) -> HttpResponse:
    ctx = acting(request)
    budget = queries.access_budget(ctx, year, "budget.manage")
    form = CoFundingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_cofunding(ctx, budget=budget, **form.cleaned_data)
        except services.BudgetError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Cofinancement ajouté.")
            return redirect(_home_url(year))
    return render(
        request,
        "budget/form.html",
        {"form": form, "budget": budget, "title": f"Ajouter un cofinancement au budget {year}"},
    )


@require_POST
@action_required("budget.manage")
def cofunding_delete(request: HttpRequest, cofunding_pk: int) -> HttpResponse:
    ctx = acting(request)
    cofunding = queries.access_cofunding(ctx, cofunding_pk)
    year = cofunding.budget.year
    services.delete_cofunding(ctx, cofunding=cofunding)
    messages.success(request, f"Cofinancement « {cofunding.funder} » supprimé.")
    return redirect(_home_url(year))


@action_required("budget.manage")
def commitment_add(request: HttpRequest, year: int) -> HttpResponse:
    ctx = acting(request)
    budget = queries.access_budget(ctx, year, "budget.manage")
    form = CommitmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_commitment(ctx, budget=budget, **form.cleaned_data)
        except services.BudgetError as exc:
            form.add_error(None, str(exc))
        else:
            _added(request, ctx, year, "Engagement ajouté.")
            return redirect(_home_url(year))
    return render(
        request,
        "budget/form.html",
        {"form": form, "budget": budget, "title": f"Ajouter un engagement au budget {year}"},
    )


def _added(request: HttpRequest, ctx, year: int, text: str) -> None:
    messages.success(request, text)
    for warning in queries.summary(queries.access_budget(ctx, year)).warnings:
        messages.warning(request, warning)


@action_required("budget.manage")
def commitment_edit(request: HttpRequest, commitment_pk: int) -> HttpResponse:
    ctx = acting(request)
    commitment = queries.access_commitment(ctx, commitment_pk)
    budget = commitment.budget
    initial = {
        "label": commitment.label,
        "category": commitment.category,
        "amount": commitment.amount,
        "starts_on": commitment.starts_on,
        "ends_on": commitment.ends_on,
        "version": commitment.version,
    }
    form = CommitmentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_commitment(ctx, commitment=commitment, version=version, **data)
        except (StaleEdit, services.BudgetError) as exc:
            form.add_error(None, str(exc))
        else:
            _added(request, ctx, budget.year, "Engagement enregistré.")
            return redirect(_home_url(budget.year))
    payments = list(commitment.payments.all())
    return render(
        request,
        "budget/commitment.html",
        {
            "form": form,
            "budget": budget,
            "commitment": commitment,
            "payments": payments,
            "paid": sum((p.amount for p in payments), Decimal(0)),
        },
    )


@require_POST
@action_required("budget.manage")
def commitment_delete(request: HttpRequest, commitment_pk: int) -> HttpResponse:
    ctx = acting(request)
    commitment = queries.access_commitment(ctx, commitment_pk)
    year = commitment.budget.year
    services.delete_commitment(ctx, commitment=commitment)
    messages.success(request, f"Engagement « {commitment.label} » supprimé avec ses versements.")
    return redirect(_home_url(year))


@action_required("budget.manage")
def payment_add(request: HttpRequest, commitment_pk: int) -> HttpResponse:
    ctx = acting(request)
    commitment = queries.access_commitment(ctx, commitment_pk)
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_payment(ctx, commitment=commitment, **form.cleaned_data)
        except services.BudgetError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Versement enregistré.")
            return redirect("budget:commitment_edit", commitment_pk=commitment.pk)
    return render(
        request,
        "budget/form.html",
        {
            "form": form,
            "budget": commitment.budget,
            "title": f"Enregistrer un versement — {commitment.label}",
        },
    )


@require_POST
@action_required("budget.manage")
def payment_delete(request: HttpRequest, payment_pk: int) -> HttpResponse:
    ctx = acting(request)
    payment = queries.access_payment(ctx, payment_pk)
    commitment_pk = payment.commitment_id
    services.delete_payment(ctx, payment=payment)
    messages.success(request, "Versement supprimé.")
    return redirect("budget:commitment_edit", commitment_pk=commitment_pk)


EXPORT_HEADER = [
    "Catégorie",
    "Prévu (€)",
    "Engagé — saisi (€)",
    "Engagé — appels à projets (€)",
    "Engagé (€)",
    "Versé (€)",
    "Reste à engager (€)",
    "Reste à verser (€)",
]


@action_required("budget.export")
def export(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    ctx = acting(request)
    summary = queries.summary(queries.access_budget(ctx, year, "budget.export"))
    rows = [
        [
            line.label,
            float(line.planned),
            float(line.committed_typed),
            float(line.committed_calls),
            float(line.committed),
            float(line.paid),
            float(line.remaining),
            float(line.to_pay),
        ]
        for line in summary.lines
    ]
    rows.append(
        [
            "Total",
            float(summary.planned),
            float(sum((line.committed_typed for line in summary.lines), Decimal(0))),
            float(sum((line.committed_calls for line in summary.lines), Decimal(0))),
            float(summary.committed),
            float(summary.paid),
            float(summary.remaining),
            float(summary.to_pay),
        ]
    )
    return table_response(f"budget-{year}", fmt, EXPORT_HEADER, rows)
