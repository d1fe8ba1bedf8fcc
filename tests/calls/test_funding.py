"""After the decision: agreement, payments, reports (variance explanations), closing, reimbursement and
the daily follow-up."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from citemploi.calls import documents, tasks
from citemploi.calls.enums import ApplicationStatus, CallStatus, ReportStatus
from citemploi.calls.models import Call
from citemploi.calls.services import funding
from tests.calls.factories import ApplicationFactory, CallFactory
from tests.factories import ctx_for


@pytest.fixture
def selected(world):
    call = CallFactory(cite=world.cite)
    return ApplicationFactory(
        call=call,
        holder=world.asso,
        complete=True,
        filled=True,
        status=ApplicationStatus.SELECTED,
        awarded_amount=Decimal("18000"),
    )


@pytest.fixture
def running(world, selected):
    ctx = ctx_for(world.coordinator)
    agreement = funding.create_agreement(
        ctx=ctx,
        app=selected,
        starts_on=date(selected.call.year, 6, 1),
        ends_on=date(selected.call.year, 12, 15),
    )
    funding.sign_agreement(ctx=ctx, agreement=agreement, signed_on=timezone.localdate())
    funding.record_payment(
        ctx=ctx, agreement=agreement, kind="advance", amount="9000", paid_on=timezone.localdate()
    )
    selected.refresh_from_db()
    return selected


def fill_report(world, app, *, actual_salaries="18000"):
    report = app.report
    lines = {line.line: line for line in report.financial_lines.all()}
    return funding.save_report(
        ctx=ctx_for(world.holder),
        report=report,
        data={"narrative": "28 personnes accompagnées.", "qpv_residents": 28, "young": 10, "women": 15, "seniors": 3,
              "people_in_training_or_employment": 9, "coordination_hours": Decimal("42")},
        objectives={r.objective_id: ("25", "") for r in report.objective_results.all()},
        activities={r.activity_id: "110" for r in report.activity_results.all()},
        financial={lines["641"].pk: (actual_salaries, ""), lines["645"].pk: ("7000", ""),
                   lines["74etat"].pk: ("20000", ""), lines["74dep"].pk: ("5000", "")},
    )  # fmt: skip


def test_agreement_schedule_and_signature(world, selected):
    ctx = ctx_for(world.coordinator)
    agreement = funding.create_agreement(
        ctx=ctx, app=selected, starts_on=date(2024, 6, 1), ends_on=date(2024, 12, 15)
    )
    assert [(i.kind, i.amount) for i in agreement.installments.all()] == [
        ("advance", Decimal("9000.00")),
        ("balance", Decimal("9000.00")),
    ]
    assert agreement.report_due_on == date(2024, 12, 15) + timedelta(days=90)
    assert documents.agreement_pdf(agreement).startswith(b"%PDF")
    with pytest.raises(PermissionDenied, match="pas signée"):
        funding.record_payment(
            ctx=ctx, agreement=agreement, kind="advance", amount="100", paid_on=date(2024, 6, 2)
        )
    funding.sign_agreement(ctx=ctx, agreement=agreement, signed_on=timezone.localdate())
    selected.refresh_from_db()
    assert selected.status == ApplicationStatus.AGREEMENT_SIGNED
    report = selected.report
    assert report.status == ReportStatus.TO_PRODUCE
    assert [(f.line, f.planned) for f in report.financial_lines.all()] == [
        ("641", Decimal("18000.00")), ("645", Decimal("7000.00")), ("74etat", Decimal("20000.00")), ("74dep", Decimal("5000.00"))
    ]  # fmt: skip
    assert report.objective_results.count() == 2


def test_the_advance_starts_the_action_and_the_balance_waits_for_the_validated_report(world, running):
    ctx = ctx_for(world.coordinator)
    assert running.status == ApplicationStatus.RUNNING
    agreement = running.agreement
    with pytest.raises(ValidationError, match="Il reste 0 €"):
        funding.record_payment(
            ctx=ctx, agreement=agreement, kind="advance", amount="1", paid_on=timezone.localdate()
        )
    with pytest.raises(PermissionDenied, match="après la validation du bilan"):
        funding.record_payment(
            ctx=ctx, agreement=agreement, kind="balance", amount="9000", paid_on=timezone.localdate()
        )


@pytest.mark.parametrize(
    ("planned", "actual", "needed"),
    [
        ("1000", "1150", False),
        ("1000", "1151", True),
        ("1000", "849", True),
        ("1000", "850", False),
        ("0", "10", True),
        ("0", "0", False),
        ("500", None, False),
    ],
)
def test_variance_above_the_threshold_needs_an_explanation(planned, actual, needed):
    value = Decimal(actual) if actual is not None else None
    assert funding.needs_explanation(Decimal(planned), value, Decimal(15)) is needed


def test_report_cycle_to_correct_validated_balance_closed(world, running, django_capture_on_commit_callbacks):
    holder, coordinator = ctx_for(world.holder), ctx_for(world.coordinator)
    report = running.report
    with pytest.raises(ValidationError) as exc:
        funding.submit_report(ctx=holder, report=report)
    assert "Rédigez le bilan qualitatif." in exc.value.messages
    report = fill_report(world, running, actual_salaries="23000")
    with pytest.raises(ValidationError) as exc:
        funding.submit_report(ctx=holder, report=report)
    assert exc.value.messages == [
        "Budget réalisé, ligne 641 – Rémunération des personnels : l'écart dépasse 15.00 % du prévu, expliquez-le."
    ]
    line = report.financial_lines.get(line="641")
    report = funding.save_report(
        ctx=holder,
        report=report,
        data={},
        financial={line.pk: ("23000", "Recrutement d'une seconde monitrice")},
    )
    funding.submit_report(ctx=holder, report=report)
    running.refresh_from_db()
    assert running.status == ApplicationStatus.REPORT_SUBMITTED
    assert [t.to_status for t in running.transitions.order_by("id")][-2:] == [
        "report_due",
        "report_submitted",
    ]
    with pytest.raises(PermissionDenied, match="ne se modifie plus"):
        funding.save_report(ctx=holder, report=report, data={"narrative": "x"})
    with django_capture_on_commit_callbacks(execute=True):
        funding.request_report_correction(
            ctx=coordinator, report=report, reason="Détaillez les heures par activité"
        )
    running.refresh_from_db()
    assert running.status == ApplicationStatus.REPORT_TO_CORRECT
    assert "Détaillez les heures" in mail.outbox[-1].body
    report.refresh_from_db()
    funding.submit_report(ctx=holder, report=report)
    with pytest.raises(ValidationError, match="validé avant la clôture"):
        funding.close_application(ctx=coordinator, app=running)
    funding.validate_report(ctx=coordinator, report=report)
    funding.record_payment(
        ctx=coordinator,
        agreement=running.agreement,
        kind="balance",
        amount="9000",
        paid_on=timezone.localdate(),
    )
    funding.close_application(ctx=coordinator, app=running)
    running.refresh_from_db()
    assert running.status == ApplicationStatus.CLOSED
    assert [t.to_status for t in report.transitions.order_by("id")] == [
        "to_produce",
        "submitted",
        "to_correct",
        "submitted",
        "validated",
    ]


def test_reimbursement_is_at_most_what_was_paid(world, running):
    ctx = ctx_for(world.coordinator)
    with pytest.raises(ValidationError, match="au plus égal au versé"):
        funding.request_reimbursement(ctx=ctx, app=running, amount="9000.01", reason="Action non réalisée")
    moved = funding.request_reimbursement(
        ctx=ctx, app=running, amount="4000", reason="Action réalisée à moitié"
    )
    assert (
        moved.status == ApplicationStatus.REIMBURSEMENT_REQUESTED
        and moved.reimbursement_amount == Decimal("4000")
    )


def test_only_the_holder_writes_the_report(world, running):
    for persona in (world.coordinator, world.reviewer, world.steering):
        with pytest.raises(PermissionDenied):
            funding.save_report(ctx=ctx_for(persona), report=running.report, data={"narrative": "x"})


def test_daily_followup_closes_calls_marks_reports_due_and_reminds(world, running):
    late_call = CallFactory(
        cite=world.cite,
        opens_at=timezone.now() - timedelta(days=20),
        closes_at=timezone.now() - timedelta(minutes=2),
        with_defaults=False,
    )
    agreement = running.agreement
    agreement.ends_on = timezone.localdate() - timedelta(days=1)
    agreement.save()
    report = running.report
    report.due_on = timezone.localdate() + timedelta(days=10)
    report.save()
    result = tasks.daily_followup.call()
    assert result == {"calls_closed": 1, "reports_due": 1, "completions_expired": 0, "reminders": 1}
    assert Call.objects.get(pk=late_call.pk).status == CallStatus.CLOSED
    running.refresh_from_db()
    assert running.status == ApplicationStatus.REPORT_DUE
    assert running.transitions.order_by("-id").first().actor_label.startswith("système")
    assert "bilan à remettre" in mail.outbox[-1].subject
    # Reminded at most once a week.
    assert tasks.remind_reports() == 0
    assert tasks.remind_reports(today=timezone.localdate() + timedelta(days=7)) == 1
