"""Demo data of the budget domain: the demo cité's budget of the current year, allocated over the three
categories, with co-funding, funded posts and their payments so far. Every figure is fictitious. The grants of
the calls for projects are read from the calls' demo data, never typed here."""

from datetime import date
from decimal import Decimal

from citemploi.budget import services
from citemploi.budget.models import Budget
from citemploi.demo.builder import DemoWorld

D = Decimal

COFUNDING = [
    ("Amiens Métropole (montant fictif)", D("30000")),
    ("Département de la Somme (montant fictif)", D("12000")),
]
#: label, category, amount, quarterly payments
COMMITMENTS = [
    ("Chargé·e d'animation territoriale (0,5 ETP)", "animation", D("21000"), True),
    ("Forum de l'emploi des quartiers", "animation", D("4500"), False),
    ("Coordinatrice de parcours (1 ETP)", "coordination", D("38000"), True),
    ("Fonds d'aide à la levée des freins", "engineering", D("6000"), False),
]


def build_demo(world: DemoWorld) -> dict[str, int]:
    ctx = world.coordinator_ctx
    year = world.today.year
    budget = Budget.objects.filter(cite=world.cite, year=year).first()
    if budget is None:
        budget = services.create_budget(ctx, year=year)
    budget = services.update_budget(
        ctx,
        budget=budget,
        version=budget.version,
        state_envelope=D("100000"),
        planned_animation=D("30000"),
        planned_coordination=D("45000"),
        planned_engineering=D("55000"),
        calls_category="engineering",
        note="Répartition de démonstration (chiffres fictifs) votée en comité de pilotage.",
    )
    for funder, amount in COFUNDING:
        services.add_cofunding(ctx, budget=budget, funder=funder, amount=amount)
    payments = 0
    for label, category, amount, quarterly in COMMITMENTS:
        commitment = services.add_commitment(
            ctx,
            budget=budget,
            label=label,
            category=category,
            amount=amount,
            starts_on=date(year, 1, 1),
            ends_on=date(year, 12, 31),
        )
        if quarterly:
            for month in (3, 6, 9, 12):
                paid_on = date(year, month, 28)
                if paid_on <= world.today:
                    services.add_payment(ctx, commitment=commitment, amount=amount / 4, paid_on=paid_on)
                    payments += 1
        elif world.today.month >= 6:
            services.add_payment(ctx, commitment=commitment, amount=amount / 2, paid_on=date(year, 6, 1))
            payments += 1
    return {
        "Budget de l'année (engagements saisis)": len(COMMITMENTS),
        "Versements saisis au budget": payments,
    }
