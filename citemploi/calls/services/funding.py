"""After the decision: the agreement and its payment schedule (advance at signature, balance after the
validated report), payments, the reports (qualitative and financial, CERFA 15059), closing or
reimbursement request."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from citemploi.calls import budget_lines, machines, queries, reached
from citemploi.calls.enums import ApplicationStatus, InstallmentKind, ReportStatus
from citemploi.calls.models import (
    ActivityResult,
    Agreement,
    Application,
    FinancialLine,
    Installment,
    ObjectiveResult,
    Payment,
    Report,
)
from citemploi.calls.services.applications import parse_amount
from citemploi.calls.services.common import IllegalState, bump_version, check_version, require_in_cite
from citemploi.calls.services.funded import follow_roadmap_action, link_funded_action
from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.partnership.enums import ActionStatus

REPORT_FIELDS = [
    "narrative",
    "qpv_residents",
    "young",
    "women",
    "seniors",
    "people_in_training_or_employment",
    "coordination_hours",
]


def _managing(ctx: ActingContext, app: Application) -> None:
    require_in_cite(ctx, "agreement.manage", app.call.cite_id)


@transaction.atomic
def create_agreement(*, ctx: ActingContext, app: Application, starts_on: date, ends_on: date) -> Agreement:
    """The agreement of a selected file: the awarded amount, the action's dates, the schedule (advance at
    signature per the call's percentage, balance after the validated report) and the report due date."""
    _managing(ctx, app)
    if app.status != ApplicationStatus.SELECTED:
        raise IllegalState("Seul un dossier retenu reçoit une convention.")
    if Agreement.objects.filter(application=app).exists():
        raise ValidationError("Ce dossier a déjà une convention.")
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "La fin de l'action précède son début."})
    amount = app.awarded_amount or Decimal(0)
    advance = (amount * app.call.advance_percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    agreement = Agreement.objects.create(
        application=app,
        number=f"{app.reference}-CONV",
        amount=amount,
        starts_on=starts_on,
        ends_on=ends_on,
        report_due_on=ends_on + timedelta(days=app.call.report_due_days),
        created_by=ctx.user,
    )
    Installment.objects.bulk_create(
        [
            Installment(agreement=agreement, kind=InstallmentKind.ADVANCE, amount=advance),
            Installment(agreement=agreement, kind=InstallmentKind.BALANCE, amount=amount - advance),
        ]
    )
    audit.log(ctx, "agreement.create", app, changes={"amount": [None, str(amount)], "advance": str(advance)})
    return agreement


@transaction.atomic
def sign_agreement(*, ctx: ActingContext, agreement: Agreement, signed_on: date) -> Agreement:
    """Record the signature: the file goes « convention signée » and its report is opened (« à produire »),
    with the planned budget copied as the financial report's « prévu » column; the funded action becomes a
    service of the directory and an action of the cité's roadmap (citemploi.calls.services.funded)."""
    app = agreement.application
    _managing(ctx, app)
    if agreement.signed_on:
        raise ValidationError("La convention est déjà signée.")
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "La date de signature ne peut pas être dans le futur."})
    agreement.signed_on = signed_on
    agreement.save(update_fields=["signed_on"])
    machines.move(
        ctx,
        app,
        machines.APPLICATION,
        ApplicationStatus.AGREEMENT_SIGNED,
        reason=f"Convention {agreement.number}",
    )
    report = Report.objects.create(application=app, due_on=agreement.report_due_on)
    report.transitions.create(
        from_status="", to_status=ReportStatus.TO_PRODUCE, actor=ctx.user, actor_label=machines.actor_label(ctx),
        reason="Convention signée",
    )  # fmt: skip
    ObjectiveResult.objects.bulk_create(
        ObjectiveResult(report=report, objective=o) for o in app.objectives.all()
    )
    ActivityResult.objects.bulk_create(
        ActivityResult(report=report, activity=a) for a in app.activities.all()
    )
    FinancialLine.objects.bulk_create(
        FinancialLine(report=report, line=b.line, label=b.label, planned=b.amount, position=b.position)
        for b in app.budget.all()
    )
    audit.log(ctx, "agreement.sign", app, changes={"signed_on": [None, signed_on.isoformat()]})
    # The funded action enters the directory and the roadmap, as the coordinator who records the signature.
    link_funded_action(ctx=ctx, app=app)
    return agreement


def paid_on_installment(installment: Installment) -> Decimal:
    return installment.payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)


@transaction.atomic
def record_payment(
    *, ctx: ActingContext, agreement: Agreement, kind: str, amount: Any, paid_on: date, reference: str = ""
) -> Payment:
    """Record a payment on the schedule. The advance starts the action (« en cours »); the balance is paid
    only once the report is validated."""
    app = Application.objects.select_for_update().get(pk=agreement.application_id)
    _managing(ctx, app)
    if not agreement.signed_on:
        raise IllegalState("La convention n'est pas signée.")
    try:
        installment = agreement.installments.get(kind=kind)
    except Installment.DoesNotExist:
        raise ValidationError({"kind": "Échéance inconnue."}) from None
    value = parse_amount(amount, "Montant")
    if value <= 0:
        raise ValidationError({"amount": "Le montant versé doit être positif."})
    remaining = installment.amount - paid_on_installment(installment)
    if value > remaining:
        from citemploi.calls.formatting import euros

        raise ValidationError({"amount": f"Il reste {euros(remaining)} à verser sur cette échéance."})
    if kind == InstallmentKind.BALANCE:
        report = Report.objects.filter(application=app).first()
        if report is None or report.status != ReportStatus.VALIDATED:
            raise IllegalState("Le solde se verse après la validation du bilan.")
    payment = Payment.objects.create(
        agreement=agreement, installment=installment, amount=value, paid_on=paid_on,
        reference=reference.strip()[:100], recorded_by=ctx.user,
    )  # fmt: skip
    audit.log(
        ctx, "agreement.payment", app, changes={"payment": [None, f"{kind} {value} {paid_on.isoformat()}"]}
    )
    if app.status == ApplicationStatus.AGREEMENT_SIGNED:
        machines.move(
            ctx, app, machines.APPLICATION, ApplicationStatus.RUNNING, reason="Versement de l'avance"
        )
        follow_roadmap_action(
            ctx=ctx, app=app, to_status=ActionStatus.IN_PROGRESS, reason="Avance versée : l'action démarre."
        )
    return payment


@transaction.atomic
def mark_report_due(*, ctx: ActingContext | None, app: Application, reason: str = "") -> Application:
    """The action is over: its report is due (the daily task does it once the agreement's end has passed)."""
    if ctx is not None:
        require_in_cite(ctx, "report.validate", app.call.cite_id)
    return machines.move(
        ctx, app, machines.APPLICATION, ApplicationStatus.REPORT_DUE, reason=reason or "Fin de l'action",
        cite_id=app.call.cite_id,
    )  # fmt: skip


def needs_explanation(planned: Decimal, actual: Decimal | None, threshold_percent: Decimal) -> bool:
    """A line whose actual amount differs from the planned one by more than the threshold (in % of the
    planned amount) must be explained; an unplanned expense always must."""
    if actual is None:
        return False
    if planned == 0:
        return actual != 0
    return abs(actual - planned) * 100 > threshold_percent * planned


def _holder_report(ctx: ActingContext, report: Report) -> Report:
    require(ctx, "report.submit")
    app = report.application
    if not queries.can(ctx, "report.submit", app):
        raise PermissionDenied("Ce bilan ne relève pas de votre structure.")
    locked = Report.objects.select_for_update().select_related("application__call").get(pk=report.pk)
    if locked.status not in (ReportStatus.TO_PRODUCE, ReportStatus.TO_CORRECT):
        raise IllegalState(f"Le bilan est « {ReportStatus(locked.status).label} » : il ne se modifie plus.")
    return locked


@transaction.atomic
def save_report(
    *,
    ctx: ActingContext,
    report: Report,
    data: dict[str, Any],
    objectives: dict[int, tuple[Any, str]] | None = None,
    activities: dict[int, Any] | None = None,
    financial: dict[int, tuple[Any, str]] | None = None,
    expected_version: int | None = None,
) -> Report:
    """Save the holder's report as a draft: indicators, narrative, achieved per objective, hours per
    activity, actual amount and explanation per budget line."""
    locked = _holder_report(ctx, report)
    check_version(locked, expected_version, "Le bilan")
    fields = [k for k in data if k in REPORT_FIELDS]
    for k in fields:
        setattr(locked, k, data[k])
    locked.full_clean(exclude=["application"])
    locked.save(update_fields=[*fields, "updated_at"])
    for result in locked.objective_results.all():
        if objectives and result.objective_id in objectives:
            achieved, comment = objectives[result.objective_id]
            result.achieved = parse_amount(achieved, "Réalisé") if achieved not in (None, "") else None
            result.comment = (comment or "").strip()
            result.save(update_fields=["achieved", "comment"])
    for a in locked.activity_results.all():
        if activities and a.activity_id in activities:
            hours = activities[a.activity_id]
            a.hours_delivered = parse_amount(hours, "Heures") if hours not in (None, "") else None
            a.save(update_fields=["hours_delivered"])
    for line in locked.financial_lines.all():
        if financial and line.pk in financial:
            actual, explanation = financial[line.pk]
            line.actual = parse_amount(actual, f"Ligne {line.line}") if actual not in (None, "") else None
            line.explanation = (explanation or "").strip()
            line.save(update_fields=["actual", "explanation"])
    bump_version(locked)
    audit.log(ctx, "report.save", locked.application, changes={f: str(getattr(locked, f)) for f in fields})
    return locked


@transaction.atomic
def prefill_report(
    *, ctx: ActingContext, report: Report, expected_version: int | None = None
) -> tuple[Report, list[str]]:
    """Fill the report's indicators still empty with the figures the platform computed for the action
    (citemploi.calls.reached), as the holder may read them: a count under statistical secrecy is left
    empty, and what the holder already wrote is never replaced. Returns the report and the fields filled."""
    locked = _holder_report(ctx, report)
    check_version(locked, expected_version, "Le bilan")
    shown = reached.figures_for(ctx, locked.application)
    if shown is None:
        raise IllegalState("Les dates de l'action ne sont pas connues : la plateforme ne peut rien compter.")
    filled = []
    for field, key in reached.PREFILLED.items():
        value = shown.values[key]
        if getattr(locked, field) is None and value is not None:
            setattr(locked, field, value)
            filled.append(field)
    if filled:
        locked.full_clean(exclude=["application"])
        locked.save(update_fields=[*filled, "updated_at"])
        bump_version(locked)
        audit.log(
            ctx,
            "report.prefill",
            locked.application,
            changes={f: [None, str(getattr(locked, f))] for f in filled},
        )
    return locked, filled


def report_problems(report: Report) -> list[str]:
    """What prevents the report from being submitted (in French), empty when complete."""
    problems = []
    if not report.narrative.strip():
        problems.append("Rédigez le bilan qualitatif.")
    for f in (
        "qpv_residents",
        "young",
        "women",
        "seniors",
        "people_in_training_or_employment",
        "coordination_hours",
    ):
        if getattr(report, f) is None:
            problems.append(f"Indicateur manquant : {Report._meta.get_field(f).verbose_name}.")
    for r in report.objective_results.select_related("objective"):
        if r.achieved is None:
            problems.append(f"Objectif « {r.objective.title} » : indiquez le réalisé.")
    for a in report.activity_results.select_related("activity"):
        if a.hours_delivered is None:
            problems.append(f"Activité « {a.activity.title} » : indiquez les heures réalisées.")
    threshold = report.application.call.variance_threshold_percent
    for line in report.financial_lines.all():
        where = (
            f"{line.line} – {budget_lines.LINES[line.line].label if budget_lines.is_known(line.line) else ''}"
        )
        if line.label:
            where += f" ({line.label})"
        if line.actual is None:
            problems.append(f"Budget réalisé, ligne {where} : indiquez le montant réalisé.")
        elif needs_explanation(line.planned, line.actual, threshold) and not line.explanation.strip():
            problems.append(
                f"Budget réalisé, ligne {where} : l'écart dépasse {threshold} % du prévu, expliquez-le."
            )
    return problems


@transaction.atomic
def submit_report(*, ctx: ActingContext, report: Report) -> Report:
    """Submit the report (complete, every variance above the threshold explained)."""
    locked = _holder_report(ctx, report)
    problems = report_problems(locked)
    if problems:
        raise ValidationError(problems)
    app = locked.application
    if app.status == ApplicationStatus.RUNNING:
        machines.move(
            ctx,
            app,
            machines.APPLICATION,
            ApplicationStatus.REPORT_DUE,
            reason="Bilan remis avant l'échéance",
        )
    machines.move(ctx, app, machines.APPLICATION, ApplicationStatus.REPORT_SUBMITTED, reason="Dépôt du bilan")
    return machines.move(
        ctx, locked, machines.REPORT, ReportStatus.SUBMITTED, extra_fields={"submitted_at": timezone.now()},
        cite_id=app.call.cite_id,
    )  # fmt: skip


@transaction.atomic
def request_report_correction(*, ctx: ActingContext, report: Report, reason: str) -> Report:
    app = report.application
    require_in_cite(ctx, "report.validate", app.call.cite_id)
    moved = machines.move(
        ctx,
        report,
        machines.REPORT,
        ReportStatus.TO_CORRECT,
        reason=reason,
        extra_fields={"correction_request": reason.strip()},
    )
    machines.move(ctx, app, machines.APPLICATION, ApplicationStatus.REPORT_TO_CORRECT, reason=reason)
    from citemploi.calls.tasks import notify_status

    app_id = app.pk
    transaction.on_commit(lambda: notify_status.enqueue(app_id))
    return moved


@transaction.atomic
def validate_report(*, ctx: ActingContext, report: Report, reason: str = "") -> Report:
    require_in_cite(ctx, "report.validate", report.application.call.cite_id)
    return machines.move(
        ctx,
        report,
        machines.REPORT,
        ReportStatus.VALIDATED,
        reason=reason,
        extra_fields={"validated_at": timezone.now()},
    )


@transaction.atomic
def close_application(*, ctx: ActingContext, app: Application, reason: str = "") -> Application:
    """Close a file whose report is validated."""
    require_in_cite(ctx, "report.validate", app.call.cite_id)
    report = Report.objects.filter(application=app).first()
    if report is None or report.status != ReportStatus.VALIDATED:
        raise ValidationError("Le bilan doit être validé avant la clôture du dossier.")
    closed = machines.move(
        ctx, app, machines.APPLICATION, ApplicationStatus.CLOSED, reason=reason or "Bilan validé"
    )
    follow_roadmap_action(
        ctx=ctx, app=app, to_status=ActionStatus.DONE, reason="Bilan validé, dossier clôturé."
    )
    return closed


@transaction.atomic
def request_reimbursement(*, ctx: ActingContext, app: Application, amount: Any, reason: str) -> Application:
    """Ask the holder to pay back all or part of the grant (action not carried out, report not produced,
    money unspent)."""
    require_in_cite(ctx, "report.validate", app.call.cite_id)
    value = parse_amount(amount, "Montant à reverser")
    paid = Payment.objects.filter(agreement__application=app).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal(0)
    if value <= 0 or value > paid:
        from citemploi.calls.formatting import euros

        raise ValidationError(
            {"amount": f"Le montant à reverser doit être positif et au plus égal au versé ({euros(paid)})."}
        )
    return machines.move(
        ctx, app, machines.APPLICATION, ApplicationStatus.REIMBURSEMENT_REQUESTED, reason=reason,
        extra_fields={"reimbursement_amount": value},
    )  # fmt: skip


@dataclass(frozen=True)
class ScheduleRow:
    installment: Installment
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.installment.amount - self.paid


def schedule(agreement: Agreement) -> list[ScheduleRow]:
    paid: dict[int, Decimal] = {}
    for p in agreement.payments.all():
        paid[p.installment_id] = paid.get(p.installment_id, Decimal(0)) + p.amount
    return [ScheduleRow(i, paid.get(i.pk, Decimal(0))) for i in agreement.installments.all()]
