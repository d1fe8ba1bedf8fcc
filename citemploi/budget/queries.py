"""Reads of the budget: the year's figures per category, computed from what is recorded.

- planned: the amounts the Copil allocated to each category;
- committed: the commitments typed by the coordinator (funded posts…) plus the grants of the cité's calls for
  projects of that year, from selection on (the agreement's amount once signed, the committee's amount
  before), on the category chosen for the calls (ingénierie dédiée unless changed);
- paid: payments on the typed commitments plus the payments recorded on the calls' agreements;
- remaining (reste à engager) = planned − committed; to pay (reste à verser) = committed − paid.
A category committed above its planned amount is a warning, not an error: the Copil may reallocate.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from citemploi.budget.models import ZERO, Budget, Category, CoFunding, Commitment, Payment
from citemploi.calls.enums import GRANTED_STATUSES
from citemploi.calls.models import Application
from citemploi.calls.models import Payment as CallPayment
from citemploi.core.access import not_found
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope


@dataclass(frozen=True)
class GrantLine:
    """A grant of a call for projects, as the budget reads it."""

    application_id: int
    reference: str
    title: str
    holder_name: str
    status_label: str
    signed: bool
    amount: Decimal
    paid: Decimal


@dataclass(frozen=True)
class CommitmentLine:
    commitment: Commitment
    paid: Decimal

    @property
    def to_pay(self) -> Decimal:
        return self.commitment.amount - self.paid


@dataclass(frozen=True)
class CategoryLine:
    category: str
    label: str
    planned: Decimal
    committed_typed: Decimal
    committed_calls: Decimal
    paid_typed: Decimal
    paid_calls: Decimal

    @property
    def committed(self) -> Decimal:
        return self.committed_typed + self.committed_calls

    @property
    def paid(self) -> Decimal:
        return self.paid_typed + self.paid_calls

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.committed

    @property
    def to_pay(self) -> Decimal:
        return self.committed - self.paid

    @property
    def over_planned(self) -> bool:
        return self.committed > self.planned


@dataclass
class BudgetSummary:
    budget: Budget
    cofundings: list[CoFunding]
    commitments: list[CommitmentLine]
    grants: list[GrantLine]
    lines: list[CategoryLine]
    warnings: list[str] = field(default_factory=list)

    @property
    def cofunding_total(self) -> Decimal:
        return sum((c.amount for c in self.cofundings), ZERO)

    @property
    def resources(self) -> Decimal:
        return self.budget.state_envelope + self.cofunding_total

    @property
    def planned(self) -> Decimal:
        return sum((line.planned for line in self.lines), ZERO)

    @property
    def committed(self) -> Decimal:
        return sum((line.committed for line in self.lines), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.committed

    @property
    def to_pay(self) -> Decimal:
        return self.committed - self.paid

    @property
    def unallocated(self) -> Decimal:
        """Resources not allocated to any category (negative: more planned than resources)."""
        return self.resources - self.planned


def _cite_id(ctx: ActingContext, action: str) -> int:
    scope = ctx.scope(action)
    if scope != Scope.CITE or ctx.cite_id is None:
        raise not_found()
    return ctx.cite_id


def budget_years(ctx: ActingContext) -> list[int]:
    return list(
        Budget.objects.filter(cite_id=_cite_id(ctx, "budget.view"))
        .order_by("-year")
        .values_list("year", flat=True)
    )


def find_budget(ctx: ActingContext, year: int, action: str = "budget.view") -> Budget | None:
    return Budget.objects.filter(cite_id=_cite_id(ctx, action), year=year).first()


def access_budget(ctx: ActingContext, year: int, action: str = "budget.view") -> Budget:
    budget = find_budget(ctx, year, action)
    if budget is None:
        raise not_found()
    return budget


def access_commitment(ctx: ActingContext, pk: int, action: str = "budget.manage") -> Commitment:
    commitment = (
        Commitment.objects.select_related("budget")
        .filter(pk=pk, budget__cite_id=_cite_id(ctx, action))
        .first()
    )
    if commitment is None:
        raise not_found()
    return commitment


def access_cofunding(ctx: ActingContext, pk: int, action: str = "budget.manage") -> CoFunding:
    cofunding = (
        CoFunding.objects.select_related("budget")
        .filter(pk=pk, budget__cite_id=_cite_id(ctx, action))
        .first()
    )
    if cofunding is None:
        raise not_found()
    return cofunding


def access_payment(ctx: ActingContext, pk: int, action: str = "budget.manage") -> Payment:
    payment = (
        Payment.objects.select_related("commitment__budget")
        .filter(pk=pk, commitment__budget__cite_id=_cite_id(ctx, action))
        .first()
    )
    if payment is None:
        raise not_found()
    return payment


def call_grants(cite_id: int, year: int) -> list[GrantLine]:
    """The grants of the cité's calls of `year`, from selection on, with what was paid (two queries)."""
    applications = list(
        Application.objects.filter(call__cite_id=cite_id, call__year=year, status__in=GRANTED_STATUSES)
        .select_related("holder", "agreement")
        .order_by("reference")
    )
    paid = dict(
        CallPayment.objects.filter(agreement__application__in=[a.pk for a in applications])
        .values_list("agreement__application_id")
        .annotate(total=Sum("amount"))
        .values_list("agreement__application_id", "total")
    )
    grants = []
    for app in applications:
        agreement = getattr(app, "agreement", None)
        amount = agreement.amount if agreement is not None else (app.awarded_amount or ZERO)
        grants.append(
            GrantLine(
                application_id=app.pk,
                reference=app.reference,
                title=app.title,
                holder_name=app.holder.name,
                status_label=app.get_status_display(),
                signed=agreement is not None,
                amount=amount,
                paid=paid.get(app.pk) or ZERO,
            )
        )
    return grants


def summary(budget: Budget) -> BudgetSummary:
    """The year's figures (a constant number of queries)."""
    cofundings = list(budget.cofundings.all())
    commitments = list(budget.commitments.all())
    paid_by_commitment = dict(
        Payment.objects.filter(commitment__budget=budget)
        .values_list("commitment_id")
        .annotate(total=Sum("amount"))
        .values_list("commitment_id", "total")
    )
    commitment_lines = [CommitmentLine(c, paid_by_commitment.get(c.pk) or ZERO) for c in commitments]
    grants = call_grants(budget.cite_id, budget.year)
    lines = []
    for category in Category:
        typed = [line for line in commitment_lines if line.commitment.category == category]
        is_calls = budget.calls_category == category
        lines.append(
            CategoryLine(
                category=category.value,
                label=category.label,
                planned=budget.planned(category),
                committed_typed=sum((line.commitment.amount for line in typed), ZERO),
                committed_calls=sum((g.amount for g in grants), ZERO) if is_calls else ZERO,
                paid_typed=sum((line.paid for line in typed), ZERO),
                paid_calls=sum((g.paid for g in grants), ZERO) if is_calls else ZERO,
            )
        )
    result = BudgetSummary(
        budget=budget, cofundings=cofundings, commitments=commitment_lines, grants=grants, lines=lines
    )
    for line in lines:
        if line.over_planned:
            result.warnings.append(
                f"{line.label} : engagé ({_euros(line.committed)}) au-delà du prévu ({_euros(line.planned)})."
            )
    if result.planned > result.resources:
        result.warnings.append(
            f"Le total prévu ({_euros(result.planned)}) dépasse les ressources de l'année "
            f"({_euros(result.resources)})."
        )
    return result


NARROW_NBSP = "\u202f"


def _euros(amount: Decimal) -> str:
    """12345.5 → « 12 345,50 € » (French grouping with a narrow no-break space)."""
    sign = "-" if amount < 0 else ""
    whole, _, cents = f"{abs(amount):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + NARROW_NBSP.join(groups) + f",{cents} €"


euros = _euros
