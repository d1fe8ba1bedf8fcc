"""French formatting of amounts and percentages for messages, letters and PDFs."""

from decimal import ROUND_HALF_UP, Decimal


def euros(value: Decimal | int | float | None) -> str:
    """« 12 500 € », « 1 234,50 € » (cents only when there are some)."""
    if value is None:
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, _, cents = f"{abs(amount):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = " ".join(groups) + ("" if cents == "00" else f",{cents}")
    return ("-" if amount < 0 else "") + text + " €"


def percent(value: Decimal | None, places: int = 1) -> str:
    """« 62,5 % »."""
    if value is None:
        return "—"
    q = Decimal(1).scaleb(-places)
    text = f"{Decimal(value).quantize(q, rounding=ROUND_HALF_UP)}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") + " %"
