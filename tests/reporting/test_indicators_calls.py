"""Calls-for-projects indicators on a hand-computed data set."""

from datetime import date
from decimal import Decimal

import pytest

from citemploi.calls.enums import ApplicationStatus, InstallmentKind, ReportStatus
from citemploi.calls.models import Agreement, ApplicationTransition, Installment, Payment, Report
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from tests.calls.factories import ApplicationFactory, CallFactory, at_paris

pytestmark = pytest.mark.django_db

H1 = Period(date(2026, 1, 1), date(2026, 6, 30))


def _moved(app, status, when):
    t = ApplicationTransition.objects.create(
        application=app, from_status="", to_status=status, actor_label="coordination"
    )
    ApplicationTransition.objects.filter(pk=t.pk).update(created_at=when)


@pytest.fixture
def calls(world):
    call = CallFactory(cite=world.cite, year=2026, envelope=Decimal("100000"))
    a = ApplicationFactory(
        call=call, holder=world.asso, requested_amount=Decimal("20000"), awarded_amount=Decimal("15000")
    )
    b = ApplicationFactory(call=call, holder=world.asso, requested_amount=Decimal("10000"))
    c = ApplicationFactory(call=call, holder=world.ft, requested_amount=Decimal("5000"))
    late = ApplicationFactory(call=call, holder=world.ft, requested_amount=Decimal("7000"))
    for app, when in (
        (a, at_paris(2026, 1, 10)),
        (b, at_paris(2026, 2, 1)),
        (c, at_paris(2026, 6, 30, 23, 30)),
    ):
        type(app).objects.filter(pk=app.pk).update(submitted_at=when)
    # submitted on 1 July at 00:30 in Paris (still 30 June in UTC): outside the half-year
    type(late).objects.filter(pk=late.pk).update(submitted_at=at_paris(2026, 7, 1, 0, 30))
    for app in (a, b, c):
        _moved(app, ApplicationStatus.ADMISSIBLE, at_paris(2026, 3, 1))
    _moved(a, ApplicationStatus.SELECTED, at_paris(2026, 4, 1))
    _moved(b, ApplicationStatus.POSTPONED, at_paris(2026, 4, 1))
    _moved(c, ApplicationStatus.REFUSED, at_paris(2026, 7, 2))  # after the period
    agreement = Agreement.objects.create(
        application=a,
        number="CONV-1",
        amount=Decimal("15000"),
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 12, 31),
        report_due_on=date(2026, 6, 15),
        signed_on=date(2026, 4, 20),
    )
    advance = Installment.objects.create(
        agreement=agreement, kind=InstallmentKind.ADVANCE, amount=Decimal("9000")
    )
    Payment.objects.create(
        agreement=agreement, installment=advance, amount=Decimal("9000"), paid_on=date(2026, 5, 2)
    )
    Report.objects.create(
        application=a,
        due_on=date(2026, 6, 15),
        status=ReportStatus.VALIDATED,
        submitted_at=at_paris(2026, 6, 15, 22, 0),
        validated_at=at_paris(2026, 6, 20),
        qpv_residents=30,
    )
    return world


def test_applications_by_stage(calls):
    table = REGISTRY["calls.applications"].run(Query((calls.cite.pk,), H1))
    # received: a, b, c (late is 1 July in Paris) = 3 ; admissible 3 ; selected a ; postponed b ; refused none
    assert [
        table.value(k, "all") for k in ("received", "admissible", "selected", "postponed", "refused")
    ] == [
        3,
        3,
        1,
        1,
        0,
    ]


def test_amounts_envelope_and_share(calls):
    amounts = REGISTRY["calls.amounts"].run(Query((calls.cite.pk,), H1))
    # requested 20000 + 10000 + 5000 = 35000 ; granted: a only = 15000
    assert amounts.value("requested", "all") == Decimal("35000")
    assert amounts.value("granted", "all") == Decimal("15000")
    envelope = REGISTRY["calls.envelope"].run(Query((calls.cite.pk,), H1))
    assert envelope.value("committed", "all") == Decimal("15000")
    assert envelope.value("paid", "all") == Decimal("9000")
    share = REGISTRY["calls.envelope_share"].run(Query((calls.cite.pk,), H1))
    # 15000 / 100000 = 15.0 % ; 9000 / 100000 = 9.0 %
    assert share.value("committed", "all") == 15.0
    assert share.value("paid", "all") == 9.0


def test_reports_and_cost_per_person(calls):
    reports = REGISTRY["calls.reports"].run(Query((calls.cite.pk,), H1))
    # due 15 June, submitted 15 June 22:00 in Paris (20:00 UTC) -> on time ; validated 20 June
    assert (
        reports.value("due", "all"),
        reports.value("on_time", "all"),
        reports.value("validated", "all"),
    ) == (
        1,
        1,
        1,
    )
    cost = REGISTRY["calls.cost_per_person"].run(Query((calls.cite.pk,), H1))
    # 15000 € / 30 people = 500 €
    assert cost.value("cost", "all") == Decimal("500.00")


def test_cut_by_holder_structure(calls):
    table = REGISTRY["calls.applications"].run(Query((calls.cite.pk,), H1, Cut.STRUCTURE))
    # association: a, b received ; France Travail: c
    assert table.value("received", str(calls.asso.pk)) == 2
    assert table.value("received", str(calls.ft.pk)) == 1
