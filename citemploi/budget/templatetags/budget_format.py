from decimal import Decimal

from django import template

from citemploi.budget.queries import euros as format_euros

register = template.Library()


@register.filter
def euros(value: Decimal | int | None) -> str:
    """12345.5 → « 12 345,50 € »; empty for no value."""
    if value is None or value == "":
        return ""
    return format_euros(Decimal(value))
