"""Writes of the budget: every change checks the policy, refuses negative amounts, is audited, and edits of
an existing row carry the version the user read (optimistic concurrency)."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from citemploi.budget.models import ZERO, Budget, Category, CoFunding, Commitment, Payment
from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit
from citemploi.core.context import ActingContext

BUDGET_FIELDS = [
    "state_envelope",
    "planned_animation",
    "planned_coordination",
    "planned_engineering",
    "calls_category",
    "note",
]
COMMITMENT_FIELDS = ["label", "category", "amount", "starts_on", "ends_on"]
MAX_AMOUNT = Decimal("9999999999.99")


class BudgetError(ValueError):
    """A refused change; the message is French and meant for the user."""


def _check_amount(value: Decimal, label: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise BudgetError(f"{label} : montant invalide.")
    if value < ZERO:
        raise BudgetError(f"{label} : le montant ne peut pas être négatif.")
    if value > MAX_AMOUNT:
        raise BudgetError(f"{label} : montant trop élevé.")
    return value.quantize(Decimal("0.01"))


def _check_version(obj: Budget | Commitment | CoFunding, version: int | None) -> None:
    if version is not None and version != obj.version:
        raise StaleEdit(
            "Ces informations ont été modifiées entre-temps par quelqu'un d'autre : rechargez la page."
        )


def _locked_budget(ctx: ActingContext, budget: Budget) -> Budget:
    require(ctx, "budget.manage")
    if budget.cite_id != ctx.cite_id:
        raise BudgetError("Ce budget n'est pas celui de votre cité.")
    return Budget.objects.select_for_update().get(pk=budget.pk)


@transaction.atomic
def create_budget(ctx: ActingContext, *, year: int) -> Budget:
    """The year's budget, with the cité's annual envelope as the State envelope (100 000 € by default)."""
    require(ctx, "budget.manage")
    if not 2000 <= year <= 2100:
        raise BudgetError("Année invalide (entre 2000 et 2100).")
    cite = ctx.cite
    if cite is None:
        raise BudgetError("Choisissez la cité pour laquelle vous agissez.")
    if Budget.objects.filter(cite=cite, year=year).exists():
        raise BudgetError(f"Le budget {year} existe déjà.")
    budget = Budget.objects.create(cite=cite, year=year, state_envelope=cite.annual_envelope)
    audit.log(ctx, "budget.create", budget, changes={"year": year})
    return budget


@transaction.atomic
def update_budget(
    ctx: ActingContext,
    *,
    budget: Budget,
    version: int | None,
    state_envelope: Decimal,
    planned_animation: Decimal,
    planned_coordination: Decimal,
    planned_engineering: Decimal,
    calls_category: str,
    note: str = "",
) -> Budget:
    locked = _locked_budget(ctx, budget)
    _check_version(locked, version)
    if calls_category not in Category.values:
        raise BudgetError("Catégorie inconnue.")
    before = audit.snapshot(locked, BUDGET_FIELDS)
    locked.state_envelope = _check_amount(state_envelope, "Enveloppe de l'État")
    locked.planned_animation = _check_amount(planned_animation, Category.ANIMATION.label)
    locked.planned_coordination = _check_amount(planned_coordination, Category.COORDINATION.label)
    locked.planned_engineering = _check_amount(planned_engineering, Category.ENGINEERING.label)
    locked.calls_category = calls_category
    locked.note = note
    changes = audit.diff(locked, before, BUDGET_FIELDS)
    if changes:
        locked.version += 1
        locked.save(update_fields=[*BUDGET_FIELDS, "version", "updated_at"])
        audit.log(ctx, "budget.update", locked, changes=changes)
    return locked


@transaction.atomic
def add_cofunding(
    ctx: ActingContext, *, budget: Budget, funder: str, amount: Decimal, note: str = ""
) -> CoFunding:
    locked = _locked_budget(ctx, budget)
    funder = funder.strip()
    if not funder:
        raise BudgetError("Indiquez le financeur.")
    cofunding = CoFunding.objects.create(
        budget=locked, funder=funder, amount=_check_amount(amount, "Cofinancement"), note=note.strip()
    )
    audit.log(ctx, "budget.cofunding_add", cofunding, changes={"funder": funder, "amount": cofunding.amount})
    return cofunding


@transaction.atomic
def delete_cofunding(ctx: ActingContext, *, cofunding: CoFunding) -> None:
    _locked_budget(ctx, cofunding.budget)
    audit.log(
        ctx,
        "budget.cofunding_delete",
        cofunding,
        changes={"funder": cofunding.funder, "amount": cofunding.amount},
    )
    cofunding.delete()


def _check_commitment(label: str, category: str, starts_on: date | None, ends_on: date | None) -> str:
    label = label.strip()
    if not label:
        raise BudgetError("Indiquez l'intitulé de l'engagement.")
    if category not in Category.values:
        raise BudgetError("Catégorie inconnue.")
    if starts_on and ends_on and ends_on < starts_on:
        raise BudgetError("La date de fin précède la date de début.")
    return label


@transaction.atomic
def add_commitment(
    ctx: ActingContext,
    *,
    budget: Budget,
    label: str,
    category: str,
    amount: Decimal,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Commitment:
    locked = _locked_budget(ctx, budget)
    label = _check_commitment(label, category, starts_on, ends_on)
    commitment = Commitment.objects.create(
        budget=locked,
        label=label,
        category=category,
        amount=_check_amount(amount, "Montant engagé"),
        starts_on=starts_on,
        ends_on=ends_on,
    )
    audit.log(
        ctx,
        "budget.commitment_add",
        commitment,
        changes={"label": label, "category": category, "amount": commitment.amount},
    )
    return commitment


@transaction.atomic
def update_commitment(
    ctx: ActingContext,
    *,
    commitment: Commitment,
    version: int | None,
    label: str,
    category: str,
    amount: Decimal,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Commitment:
    _locked_budget(ctx, commitment.budget)
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    _check_version(locked, version)
    label = _check_commitment(label, category, starts_on, ends_on)
    amount = _check_amount(amount, "Montant engagé")
    paid = sum((p.amount for p in locked.payments.all()), ZERO)
    if amount < paid:
        raise BudgetError(
            f"Le montant engagé ne peut pas être inférieur à ce qui a déjà été versé ({paid} €)."
        )
    before = audit.snapshot(locked, COMMITMENT_FIELDS)
    locked.label, locked.category, locked.amount = label, category, amount
    locked.starts_on, locked.ends_on = starts_on, ends_on
    changes = audit.diff(locked, before, COMMITMENT_FIELDS)
    if changes:
        locked.version += 1
        locked.save(update_fields=[*COMMITMENT_FIELDS, "version"])
        audit.log(ctx, "budget.commitment_update", locked, changes=changes)
    return locked


@transaction.atomic
def delete_commitment(ctx: ActingContext, *, commitment: Commitment) -> None:
    _locked_budget(ctx, commitment.budget)
    audit.log(
        ctx,
        "budget.commitment_delete",
        commitment,
        changes={"label": commitment.label, "amount": commitment.amount},
    )
    commitment.delete()


@transaction.atomic
def add_payment(
    ctx: ActingContext, *, commitment: Commitment, amount: Decimal, paid_on: date, reference: str = ""
) -> Payment:
    """A payment on a typed commitment; the payments of a commitment never exceed its amount."""
    _locked_budget(ctx, commitment.budget)
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    amount = _check_amount(amount, "Montant versé")
    if amount == ZERO:
        raise BudgetError("Un versement est d'un montant positif.")
    paid = sum((p.amount for p in locked.payments.all()), ZERO)
    if paid + amount > locked.amount:
        raise BudgetError(
            f"Les versements ({paid + amount} €) dépasseraient le montant engagé ({locked.amount} €)."
        )
    payment = Payment.objects.create(
        commitment=locked, amount=amount, paid_on=paid_on, reference=reference.strip()
    )
    audit.log(
        ctx,
        "budget.payment_add",
        payment,
        changes={"commitment": locked.label, "amount": amount, "paid_on": paid_on.isoformat()},
    )
    return payment


@transaction.atomic
def delete_payment(ctx: ActingContext, *, payment: Payment) -> None:
    _locked_budget(ctx, payment.commitment.budget)
    audit.log(
        ctx,
        "budget.payment_delete",
        payment,
        changes={"amount": payment.amount, "paid_on": payment.paid_on.isoformat()},
    )
    payment.delete()
