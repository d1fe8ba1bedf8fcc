"""The indicator registry: every indicator defined once (see base.py), grouped by domain module."""

from citemploi.reporting.indicators import (  # noqa: F401  (registration)
    barriers,
    calls,
    cohorts,
    events,
    offer,
    orientations,
    outcomes,
    people,
)
from citemploi.reporting.indicators.base import (
    REGISTRY,
    Cut,
    Indicator,
    Period,
    PeriodError,
    Query,
    Table,
    Unit,
)

__all__ = ["REGISTRY", "Cut", "Indicator", "Period", "PeriodError", "Query", "Table", "Unit", "compute_all"]


def compute_all(query: Query, codes: list[str] | None = None) -> list[Table]:
    """The tables of the asked indicators (all by default), in registry order."""
    from citemploi.reporting import parallel

    return parallel.compute([REGISTRY[code] for code in (codes or list(REGISTRY))], query)
