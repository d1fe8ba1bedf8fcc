"""API of the budget domain: the cité's budget of a year, per category, with its commitments, co-funding and
the grants read from the calls for projects. Coordination and steering read it; amounts are decimal strings
in euros (never floats)."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from ninja import P, PathEx, Schema

from citemploi.api.base import PolicyRouter, acting
from citemploi.api.schemas import READ_ERRORS
from citemploi.budget import queries

router = PolicyRouter(tags=["Budget de la cité"])

Year = PathEx[int, P(ge=2000, le=2100, description="Année du budget.", example=2026)]


class CategoryOut(Schema):
    category: str
    label: str
    planned: Decimal
    committed: Decimal
    committed_calls: Decimal
    paid: Decimal
    remaining: Decimal
    to_pay: Decimal
    over_planned: bool


class CoFundingOut(Schema):
    funder: str
    amount: Decimal
    note: str


class CommitmentOut(Schema):
    id: int
    label: str
    category: str
    amount: Decimal
    paid: Decimal
    starts_on: date | None
    ends_on: date | None


class GrantOut(Schema):
    application_id: int
    reference: str
    title: str
    holder_name: str
    status: str
    signed: bool
    amount: Decimal
    paid: Decimal


class BudgetOut(Schema):
    year: int
    state_envelope: Decimal
    cofunding_total: Decimal
    resources: Decimal
    calls_category: str
    planned: Decimal
    committed: Decimal
    paid: Decimal
    remaining: Decimal
    to_pay: Decimal
    version: int
    categories: list[CategoryOut]
    cofundings: list[CoFundingOut]
    commitments: list[CommitmentOut]
    grants: list[GrantOut]
    warnings: list[str]


@router.get(
    "/budgets/{year}",
    response={200: BudgetOut, **READ_ERRORS},
    operation_id="budget_read",
    summary="Lire le budget d'une année",
    description=(
        "Le budget de la cité du jeton pour l'année : ressources (enveloppe de l'État et cofinancements), "
        "par catégorie le prévu, l'engagé (dont les subventions des appels à projets), le versé, le reste à "
        "engager et le reste à verser ; les engagements saisis et les subventions. 404 si l'année n'a pas de "
        "budget."
    ),
    openapi_extra={"x-citemploi-action": "budget.view"},
)
def read_budget(request: HttpRequest, year: Year) -> dict:
    summary = queries.summary(queries.access_budget(acting(request), year))
    budget = summary.budget
    return {
        "year": budget.year,
        "state_envelope": budget.state_envelope,
        "cofunding_total": summary.cofunding_total,
        "resources": summary.resources,
        "calls_category": budget.calls_category,
        "planned": summary.planned,
        "committed": summary.committed,
        "paid": summary.paid,
        "remaining": summary.remaining,
        "to_pay": summary.to_pay,
        "version": budget.version,
        "categories": [
            {
                "category": line.category,
                "label": line.label,
                "planned": line.planned,
                "committed": line.committed,
                "committed_calls": line.committed_calls,
                "paid": line.paid,
                "remaining": line.remaining,
                "to_pay": line.to_pay,
                "over_planned": line.over_planned,
            }
            for line in summary.lines
        ],
        "cofundings": [{"funder": c.funder, "amount": c.amount, "note": c.note} for c in summary.cofundings],
        "commitments": [
            {
                "id": line.commitment.pk,
                "label": line.commitment.label,
                "category": line.commitment.category,
                "amount": line.commitment.amount,
                "paid": line.paid,
                "starts_on": line.commitment.starts_on,
                "ends_on": line.commitment.ends_on,
            }
            for line in summary.commitments
        ],
        "grants": [
            {
                "application_id": g.application_id,
                "reference": g.reference,
                "title": g.title,
                "holder_name": g.holder_name,
                "status": g.status_label,
                "signed": g.signed,
                "amount": g.amount,
                "paid": g.paid,
            }
            for g in summary.grants
        ],
        "warnings": summary.warnings,
    }
