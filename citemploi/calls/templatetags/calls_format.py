"""Template filters of the calls screens: amounts, percentages and Paris date-times in French."""

from datetime import datetime
from decimal import Decimal

from django import template

from citemploi.calls import formatting, timing

register = template.Library()


@register.filter
def euros(value: Decimal | int | None) -> str:
    return formatting.euros(value)


@register.filter
def percent(value: Decimal | None) -> str:
    return formatting.percent(value)


@register.filter
def paris(value: datetime | None) -> str:
    return timing.format_paris(value)


@register.filter
def status_class(status: str) -> str:
    """The DSFR badge of a status: success, error, warning, info or new."""
    if status in {
        "selected",
        "admissible",
        "closed",
        "validated",
        "agreement_signed",
        "running",
        "published",
    }:
        return "fr-badge--success"
    if status in {
        "refused",
        "not_admissible",
        "withdrawn",
        "reimbursement_requested",
        "to_correct",
        "report_to_correct",
    }:
        return "fr-badge--error"
    if status in {"to_complete", "postponed", "report_due", "to_produce"}:
        return "fr-badge--warning"
    if status in {"draft"}:
        return "fr-badge--new"
    return "fr-badge--info"
