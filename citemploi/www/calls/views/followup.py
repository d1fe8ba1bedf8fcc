"""After the decision: the agreement (PDF) and its payments, the reports and their review."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from citemploi.calls import budget_lines, documents, queries, reached
from citemploi.calls.enums import ApplicationStatus, ReportStatus
from citemploi.calls.models import Agreement, Report
from citemploi.calls.services import funding as services
from citemploi.www.calls.forms.followup import (
    AgreementForm,
    PaymentForm,
    ReportForm,
    ReportReviewForm,
    SignatureForm,
)
from citemploi.www.calls.views.common import USER_ERRORS, flash_errors, pdf_response
from citemploi.www.common import acting, action_required


def _agreement(app) -> Agreement | None:
    return (
        Agreement.objects.filter(application=app)
        .prefetch_related("installments", "payments__installment")
        .first()
    )


@action_required("application.view")
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, log_read=False)
    current = _agreement(app)
    manage = ctx.can("agreement.manage")
    return render(
        request,
        "calls/agreement.html",
        {
            "app": app,
            "agreement": current,
            "schedule": services.schedule(current) if current else [],
            "payments": list(current.payments.all()) if current else [],
            "manage": manage,
            "create_form": AgreementForm(initial={"starts_on": app.start_date, "ends_on": app.end_date})
            if manage
            else None,
            "sign_form": SignatureForm() if manage else None,
            "payment_form": PaymentForm() if manage else None,
            "can_create": manage and current is None and app.status == ApplicationStatus.SELECTED,
            "can_sign": manage and current is not None and current.signed_on is None,
            "can_pay": manage and current is not None and current.signed_on is not None,
        },
    )


@require_POST
@action_required("agreement.manage")
def agreement_manage(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, "application.instruct", log_read=False)
    current = _agreement(app)
    action = request.POST.get("action")
    try:
        if action == "create":
            create = AgreementForm(request.POST)
            if create.is_valid():
                services.create_agreement(ctx=ctx, app=app, **create.cleaned_data)
                messages.success(
                    request,
                    "Convention préparée : imprimez-la, faites-la signer, puis enregistrez la signature.",
                )
            else:
                messages.error(request, "Indiquez les dates de début et de fin de l'action.")
        elif action == "sign" and current is not None:
            sign = SignatureForm(request.POST)
            if sign.is_valid():
                services.sign_agreement(ctx=ctx, agreement=current, signed_on=sign.cleaned_data["signed_on"])
                messages.success(request, "Signature enregistrée : le bilan est ouvert au porteur.")
            else:
                messages.error(request, "Indiquez la date de signature.")
        elif action == "pay" and current is not None:
            pay = PaymentForm(request.POST)
            if pay.is_valid():
                services.record_payment(ctx=ctx, agreement=current, **pay.cleaned_data)
                messages.success(request, "Versement enregistré.")
            else:
                messages.error(
                    request, "Versement non enregistré : vérifiez l'échéance, le montant et la date."
                )
        else:
            messages.error(request, "Action impossible pour ce dossier.")
    except USER_ERRORS as exc:
        flash_errors(request, exc)
    return redirect("calls:agreement", pk=app.pk)


@action_required("application.view")
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, log_read=False)
    current = _agreement(app)
    if current is None:
        messages.info(request, "Ce dossier n'a pas de convention.")
        return redirect("calls:application_detail", pk=app.pk)
    return pdf_response(documents.agreement_pdf(current), f"convention-{current.number}.pdf")


def _report(app) -> Report | None:
    return Report.objects.filter(application=app).select_related("application__call").first()


def _financial_rows(report: Report) -> list[dict]:
    threshold = report.application.call.variance_threshold_percent
    rows = []
    for line in report.financial_lines.all():
        catalogue = budget_lines.LINES.get(line.line)
        rows.append(
            {
                "line": line,
                "label": catalogue.label if catalogue else line.line,
                "side": budget_lines.side_of(line.line) if catalogue else "",
                "variance": (line.actual - line.planned) if line.actual is not None else None,
                "needs_explanation": services.needs_explanation(line.planned, line.actual, threshold),
            }
        )
    return rows


def _prefilled_message(filled: list[str]) -> str:
    if not filled:
        return (
            "Bilan enregistré (brouillon). Aucun indicateur pré-rempli : ils sont déjà renseignés, ou les "
            "chiffres de la plateforme sont couverts par le secret statistique."
        )
    labels = ", ".join(str(Report._meta.get_field(f).verbose_name) for f in filled)
    return f"Bilan enregistré (brouillon), pré-rempli avec les chiffres de la plateforme : {labels}."


@action_required("application.view")
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report of a funded action: the holder fills it in; the coordination reviews it."""
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, log_read=False)
    current = _report(app)
    holder_can_edit = (
        current is not None
        and current.status in (ReportStatus.TO_PRODUCE, ReportStatus.TO_CORRECT)
        and queries.can(ctx, "report.submit", app)
    )
    form = ReportForm(request.POST or None, instance=current) if holder_can_edit else None
    if request.method == "POST" and holder_can_edit and form is not None and current is not None:
        if not queries.can(ctx, "report.submit", app):
            return redirect("calls:report", pk=app.pk)
        if form.is_valid():
            objectives = {
                r.objective_id: (
                    request.POST.get(f"achieved_{r.pk}", ""),
                    request.POST.get(f"comment_{r.pk}", ""),
                )
                for r in current.objective_results.all()
            }
            activities = {
                r.activity_id: request.POST.get(f"hours_{r.pk}", "") for r in current.activity_results.all()
            }
            financial = {
                line.pk: (
                    request.POST.get(f"actual_{line.pk}", ""),
                    request.POST.get(f"explanation_{line.pk}", ""),
                )
                for line in current.financial_lines.all()
            }
            current.refresh_from_db()
            try:
                saved = services.save_report(
                    ctx=ctx,
                    report=current,
                    data={k: v for k, v in form.cleaned_data.items() if k != "version"},
                    objectives=objectives,
                    activities=activities,
                    financial=financial,
                    expected_version=form.cleaned_data.get("version"),
                )
                if request.POST.get("submit") == "1":
                    services.submit_report(ctx=ctx, report=saved)
                    messages.success(request, "Bilan déposé : la coordination va l'examiner.")
                elif request.POST.get("prefill") == "1":
                    _, filled = services.prefill_report(ctx=ctx, report=saved)
                    messages.success(request, _prefilled_message(filled))
                else:
                    messages.success(request, "Bilan enregistré (brouillon).")
            except USER_ERRORS as exc:
                flash_errors(request, exc)
            return redirect("calls:report", pk=app.pk)
    computed = reached.figures_for(ctx, app) if current else None
    return render(
        request,
        "calls/report.html",
        {
            "app": app,
            "report": current,
            "computed": computed,
            "computed_rows": reached.comparison(current, computed) if current and computed else [],
            "form": form,
            "holder_can_edit": holder_can_edit,
            "objective_results": list(current.objective_results.select_related("objective"))
            if current
            else [],
            "activity_results": list(current.activity_results.select_related("activity")) if current else [],
            "financial": _financial_rows(current) if current else [],
            "problems": services.report_problems(current) if current and holder_can_edit else [],
            "review_form": ReportReviewForm() if ctx.can("report.validate") else None,
            "transitions": list(current.transitions.all()) if current else [],
        },
    )


@require_POST
@action_required("report.validate")
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    app = queries.access_application_for(ctx, pk, "application.instruct", log_read=False)
    current = _report(app)
    form = ReportReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez une décision.")
        return redirect("calls:report", pk=app.pk)
    action, reason = form.cleaned_data["action"], form.cleaned_data.get("reason") or ""
    try:
        if action == "validate" and current is not None:
            services.validate_report(ctx=ctx, report=current, reason=reason)
            messages.success(request, "Bilan validé : le solde peut être versé.")
        elif action == "to_correct" and current is not None:
            services.request_report_correction(ctx=ctx, report=current, reason=reason)
            messages.success(request, "Corrections demandées au porteur.")
        elif action == "close":
            services.close_application(ctx=ctx, app=app, reason=reason)
            messages.success(request, "Dossier clôturé.")
        elif action == "report_due":
            services.mark_report_due(ctx=ctx, app=app, reason=reason)
            messages.success(request, "Bilan déclaré attendu.")
        elif action == "reimbursement":
            services.request_reimbursement(
                ctx=ctx, app=app, amount=form.cleaned_data.get("amount"), reason=reason
            )
            messages.success(request, "Demande de reversement enregistrée.")
        else:
            messages.error(request, "Ce dossier n'a pas de bilan.")
    except USER_ERRORS as exc:
        flash_errors(request, exc)
    return redirect("calls:report", pk=app.pk)
