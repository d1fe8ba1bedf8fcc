"""Template filters of the indicator screens: figures written the French way."""

from decimal import Decimal

from django import template

register = template.Library()

SUFFIX = {"percent": " %", "euros": " €", "hours": " h", "days": " j"}


def french_number(value: object) -> str:
    if isinstance(value, (Decimal, float)):
        number = round(float(value), 2)
        if number.is_integer():
            value = int(number)
        else:
            text = f"{number:,.2f}".rstrip("0").rstrip(".")
            return text.replace(",", "\u202f").replace(".", ",")
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    return str(value)


@register.filter
def figure(value: object, unit: str = "") -> str:
    """12345.5 → « 12 345,5 », with the unit's sign; None → « secret »."""
    if value is None:
        return "secret"
    return french_number(value) + SUFFIX.get(unit, "")


@register.filter
def get_item(mapping: dict, key: str) -> object:
    """mapping[key], or an empty string (templates fail on unknown variables)."""
    return mapping.get(key, "")
