"""Statistical secrecy of every figure that leaves the cité: thresholds, complementary suppression, log.

Contract used by the other domains::

    from citemploi.secrecy import protect_table, protect_rate

    table = protect_table({("QN1", "F"): 12, ("QN1", "H"): 3}, ("qpv", "genre"),
                          audience="national", indicator="accompanied", cite_id=cite.pk)
    table.value(("QN1", "H"))  # None: secret
    table.margin(0, "QN1")      # the QPV's total over genders, or None
    table.total
    table.suppressed            # [(key, "primary" | "complementary")], ALL ("*") marks summed dimensions
    protect_rate(44, 147, threshold=table.threshold)  # 0.299…, None when the denominator is under it
    protect_rates({("3", "F"): 75.0}, {("3", "F"): 8}, [("3", "F")], audience="steering",
                  indicator="outcomes.retention_rate", cite_id=cite.pk)  # {("3", "F"): None}: 8 < 11
    thresholds = Thresholds()   # one per request: each (cité, audience) threshold read once

The models (thresholds, log) are imported lazily so that this package can be imported at app loading.
"""

from typing import TYPE_CHECKING, Any

from citemploi.secrecy.engine import ALL, COMPLEMENTARY, PRIMARY, RATE, ProtectedTable

if TYPE_CHECKING:
    from citemploi.secrecy.services import (
        Thresholds,
        protect_rate,
        protect_rates,
        protect_table,
        threshold_for,
    )

__all__ = [
    "ALL",
    "COMPLEMENTARY",
    "PRIMARY",
    "RATE",
    "ProtectedTable",
    "Thresholds",
    "protect_rate",
    "protect_rates",
    "protect_table",
    "threshold_for",
]


def __getattr__(name: str) -> Any:
    if name in {"protect_table", "protect_rate", "protect_rates", "threshold_for", "Thresholds"}:
        from citemploi.secrecy import services

        return getattr(services, name)
    raise AttributeError(name)
