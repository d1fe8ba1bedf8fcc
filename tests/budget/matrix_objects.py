"""Objects for the permission matrix: the cité's budget of the current year with a commitment, a payment
and a co-funding."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from citemploi.budget.models import Budget, CoFunding, Commitment, Payment


def url_kwargs(name, keys, world, person):
    if not name.startswith("budget:"):
        return None
    year = timezone.localdate().year
    budget, _ = Budget.objects.get_or_create(cite=world.cite, year=year)
    kwargs = {}
    if "year" in keys:
        kwargs["year"] = year
    if "fmt" in keys:
        kwargs["fmt"] = "csv"
    if "cofunding_pk" in keys:
        kwargs["cofunding_pk"] = CoFunding.objects.create(budget=budget, funder="Ville", amount=Decimal(1)).pk
    if "commitment_pk" in keys or "payment_pk" in keys:
        commitment = Commitment.objects.create(
            budget=budget, label="Poste", category="coordination", amount=10
        )
        if "commitment_pk" in keys:
            kwargs["commitment_pk"] = commitment.pk
        if "payment_pk" in keys:
            kwargs["payment_pk"] = Payment.objects.create(
                commitment=commitment, amount=Decimal(1), paid_on=date(year, 1, 2)
            ).pk
    return kwargs
