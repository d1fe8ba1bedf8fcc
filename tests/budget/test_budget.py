"""The year's figures, hand-computed, and the rules of the changes."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from citemploi.budget import queries, services
from citemploi.budget.models import Budget
from citemploi.calls.enums import ApplicationStatus, InstallmentKind
from citemploi.calls.services import funding
from citemploi.core.concurrency import StaleEdit
from citemploi.core.models import AuditEvent
from tests.calls.factories import ApplicationFactory, CallFactory
from tests.factories import ctx_for

D = Decimal


@pytest.fixture
def year():
    return timezone.localdate().year


def make_budget(world, year, **planned):
    ctx = ctx_for(world.coordinator)
    budget = services.create_budget(ctx, year=year)
    return services.update_budget(
        ctx,
        budget=budget,
        version=budget.version,
        state_envelope=D("100000"),
        planned_animation=planned.get("animation", D("30000")),
        planned_coordination=planned.get("coordination", D("40000")),
        planned_engineering=planned.get("engineering", D("30000")),
        calls_category="engineering",
    )


def grant(world, call, amount, *, sign=False, advance_paid=None):
    app = ApplicationFactory(
        call=call,
        holder=world.asso,
        complete=True,
        filled=True,
        status=ApplicationStatus.SELECTED,
        awarded_amount=D(amount),
    )
    if sign:
        ctx = ctx_for(world.coordinator)
        agreement = funding.create_agreement(
            ctx=ctx, app=app, starts_on=date(call.year, 3, 1), ends_on=date(call.year, 12, 1)
        )
        funding.sign_agreement(ctx=ctx, agreement=agreement, signed_on=timezone.localdate())
        if advance_paid is not None:
            funding.record_payment(
                ctx=ctx,
                agreement=agreement,
                kind=InstallmentKind.ADVANCE,
                amount=D(advance_paid),
                paid_on=timezone.localdate(),
            )
    return app


def test_hand_computed_year(world, year):
    ctx = ctx_for(world.coordinator)
    budget = make_budget(world, year)
    services.add_cofunding(ctx, budget=budget, funder="Amiens Métropole", amount=D("20000"))
    services.add_cofunding(ctx, budget=budget, funder="Département de la Somme", amount=D("5000.50"))
    post = services.add_commitment(
        ctx, budget=budget, label="Coordinatrice de parcours", category="coordination", amount=D("35000")
    )
    services.add_payment(ctx, commitment=post, amount=D("8750"), paid_on=date(year, 3, 31))
    services.add_payment(ctx, commitment=post, amount=D("8750"), paid_on=date(year, 6, 30))
    forum = services.add_commitment(
        ctx, budget=budget, label="Forum de l'emploi", category="animation", amount=D("4200.40")
    )
    services.add_payment(ctx, commitment=forum, amount=D("4200.40"), paid_on=date(year, 5, 15))
    call = CallFactory(cite=world.cite, year=year)
    grant(world, call, "12000", sign=True, advance_paid="6000")  # signed, half paid
    grant(world, call, "9000")  # selected, no agreement yet
    ApplicationFactory(
        call=call, holder=world.asso, status=ApplicationStatus.REFUSED, awarded_amount=D("5000")
    )
    older = CallFactory(cite=world.cite, year=year - 1, with_defaults=False)
    grant(world, older, "7000")  # another year: not in this budget

    summary = queries.summary(Budget.objects.get(pk=budget.pk))
    lines = {line.category: line for line in summary.lines}
    assert summary.resources == D("125000.50")
    assert lines["animation"].committed == D("4200.40")
    assert lines["animation"].paid == D("4200.40")
    assert lines["animation"].remaining == D("25799.60")
    assert lines["coordination"].committed == D("35000")
    assert lines["coordination"].paid == D("17500")
    assert lines["coordination"].remaining == D("5000")
    assert lines["coordination"].to_pay == D("17500")
    # Engineering: the two grants of the year, 12 000 + 9 000; 6 000 paid on the signed one.
    assert lines["engineering"].committed_calls == D("21000")
    assert lines["engineering"].committed == D("21000")
    assert lines["engineering"].paid == D("6000")
    assert lines["engineering"].remaining == D("9000")
    assert summary.planned == D("100000")
    assert summary.committed == D("60200.40")
    assert summary.paid == D("27700.40")
    assert summary.remaining == D("39799.60")
    assert summary.unallocated == D("25000.50")
    assert summary.warnings == []
    assert [g.amount for g in summary.grants] == [D("12000"), D("9000")]


def test_committed_above_planned_is_a_warning(world, year):
    ctx = ctx_for(world.coordinator)
    budget = make_budget(world, year, animation=D("1000"))
    services.add_commitment(ctx, budget=budget, label="Rallye", category="animation", amount=D("1500"))
    summary = queries.summary(budget)
    assert summary.lines[0].over_planned
    assert summary.warnings == [
        "Animation territoriale : engagé (1\u202f500,00 €) au-delà du prévu (1\u202f000,00 €)."
    ]


def test_planned_above_resources_is_a_warning(world, year):
    budget = make_budget(world, year, animation=D("50000"))
    assert "dépasse les ressources" in queries.summary(budget).warnings[0]


def test_calls_grants_follow_the_chosen_category(world, year):
    ctx = ctx_for(world.coordinator)
    budget = make_budget(world, year)
    grant(world, CallFactory(cite=world.cite, year=year), "10000")
    budget = services.update_budget(
        ctx,
        budget=budget,
        version=budget.version,
        state_envelope=D("100000"),
        planned_animation=D("30000"),
        planned_coordination=D("40000"),
        planned_engineering=D("30000"),
        calls_category="animation",
    )
    lines = {line.category: line for line in queries.summary(budget).lines}
    assert lines["animation"].committed == D("10000")
    assert lines["engineering"].committed == D("0")


def test_amounts_are_never_negative_and_payments_never_exceed_the_commitment(world, year):
    ctx = ctx_for(world.coordinator)
    budget = make_budget(world, year)
    with pytest.raises(services.BudgetError, match="négatif"):
        services.add_cofunding(ctx, budget=budget, funder="Ville", amount=D("-1"))
    post = services.add_commitment(
        ctx, budget=budget, label="Poste", category="coordination", amount=D("100")
    )
    with pytest.raises(services.BudgetError, match="dépasseraient"):
        services.add_payment(ctx, commitment=post, amount=D("100.01"), paid_on=date(year, 1, 1))
    services.add_payment(ctx, commitment=post, amount=D("60"), paid_on=date(year, 1, 1))
    with pytest.raises(services.BudgetError, match="déjà été versé"):
        services.update_commitment(
            ctx, commitment=post, version=post.version, label="Poste", category="coordination", amount=D("50")
        )
    with pytest.raises(services.BudgetError, match="fin précède"):
        services.add_commitment(
            ctx,
            budget=budget,
            label="Poste 2",
            category="coordination",
            amount=D("1"),
            starts_on=date(year, 5, 1),
            ends_on=date(year, 4, 1),
        )


def test_concurrent_edits_are_refused(world, year):
    ctx = ctx_for(world.coordinator)
    budget = make_budget(world, year)
    read_version = budget.version
    services.update_budget(
        ctx,
        budget=budget,
        version=read_version,
        state_envelope=D("100000"),
        planned_animation=D("1"),
        planned_coordination=D("2"),
        planned_engineering=D("3"),
        calls_category="engineering",
    )
    with pytest.raises(StaleEdit):
        services.update_budget(
            ctx,
            budget=budget,
            version=read_version,
            state_envelope=D("100000"),
            planned_animation=D("9"),
            planned_coordination=D("9"),
            planned_engineering=D("9"),
            calls_category="engineering",
        )
    assert Budget.objects.get(pk=budget.pk).planned_animation == D("1")
    assert AuditEvent.objects.filter(code="budget.update").count() == 2


def test_a_year_has_one_budget_and_only_the_coordinator_manages_it(world, year):
    make_budget(world, year)
    with pytest.raises(services.BudgetError, match="existe déjà"):
        services.create_budget(ctx_for(world.coordinator), year=year)
    with pytest.raises(PermissionDenied):
        services.create_budget(ctx_for(world.steering), year=year + 1)
    other_budget = services.create_budget(ctx_for(world.other_coordinator), year=year)
    with pytest.raises(services.BudgetError):
        services.add_cofunding(ctx_for(world.coordinator), budget=other_budget, funder="X", amount=D("1"))


def test_new_budget_takes_the_cite_envelope(world, year):
    world.cite.annual_envelope = D("120000")
    world.cite.save(update_fields=["annual_envelope"])
    budget = services.create_budget(ctx_for(world.coordinator), year=year)
    assert budget.state_envelope == D("120000")
