"""Statistical secrecy of the figures that leave the coordination (steering members, national page, exports).

The rules live in citemploi.secrecy (`protect_table`, `protect_rates`); this module turns an indicator table
into what a protected audience may see. Counts of people (or of facts about people) go through primary and
complementary suppression; rates, means and medians over people are hidden when their denominator is under
the threshold (or when they would give a small count back); a rate whose denominators were not computed is
hidden. Counts of events, files or services and amounts of money do not describe anyone and are exact. If the
secrecy engine cannot be loaded, every non-zero count and every rate is hidden (fail closed).
"""

from dataclasses import dataclass
from typing import Any

from citemploi.reporting.indicators.base import Number, Table, Unit

#: audiences of citemploi.secrecy
STEERING = "steering"
NATIONAL = "national"
FUNDERS = "funders"


@dataclass
class Shown:
    """One table as a given audience sees it: None = secret."""

    table: Table
    cells: dict[tuple[str, str], Number | None]
    row_totals: dict[str, Number | None]
    column_totals: dict[str, Number | None]
    total: Number | None
    protected: bool

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "key": key,
                "label": label,
                "cells": [self.cells.get((key, col)) for col, _ in self.table.columns],
                "total": self.row_totals.get(key),
            }
            for key, label in self.table.categories
        ]

    @property
    def footer(self) -> list[Number | None]:
        return [self.column_totals.get(col) for col, _ in self.table.columns]

    @property
    def has_secret(self) -> bool:
        return any(v is None for v in self.cells.values()) or any(
            v is None for v in (*self.row_totals.values(), *self.column_totals.values())
        )


def exact(table: Table) -> Shown:
    cells: dict[tuple[str, str], Number | None] = {
        (k, c): table.value(k, c) for k, _ in table.categories for c, _ in table.columns
    }
    additive = table.indicator.additive
    return Shown(
        table,
        cells,
        {k: table.row_total(k) for k, _ in table.categories} if additive else {},
        {c: table.column_total(c) for c, _ in table.columns} if additive else {},
        table.total if additive else None,
        protected=False,
    )


def _engine() -> Any:
    """citemploi.secrecy's services, None when they cannot be loaded (then everything is hidden)."""
    try:
        from citemploi.secrecy import services

        return services
    except (ImportError, AttributeError):
        return None


def _hidden(table: Table) -> Shown:
    """Fail closed: every figure that is not an exact zero count is hidden."""
    keys = [(k, c) for k, _ in table.categories for c, _ in table.columns]
    cells: dict[tuple[str, str], Number | None] = {
        key: (None if table.indicator.ratio or table.value(*key) else 0) for key in keys
    }
    return Shown(table, cells, {}, {}, None, protected=True)


def protect(table: Table, *, audience: str, cite_id: int | None, thresholds: Any = None) -> Shown:
    """The table as `audience` may see it (exact when it counts no people and no rate over people).

    `thresholds` (a `citemploi.secrecy.Thresholds`) is shared by the tables of one page or export so that
    each threshold is read once; without it the threshold is read for this table."""
    if not table.indicator.protected:
        return exact(table)
    engine = _engine()
    if engine is None:
        return _hidden(table)
    if thresholds is None:
        thresholds = engine.Thresholds()
    threshold = thresholds.get(cite_id, audience)
    code = table.indicator.code
    categories = [k for k, _ in table.categories]
    columns = [c for c, _ in table.columns]
    keys = [(k, c) for k in categories for c in columns]
    if table.indicator.ratio:
        shown = engine.protect_rates(
            table.cells,
            table.denominators,
            keys,
            numerators=table.numerators,
            audience=audience,
            indicator=code,
            cite_id=cite_id,
            threshold=threshold,
        )
        return Shown(table, shown, {}, {}, None, protected=True)
    if table.indicator.additive:
        counts = {(k, c): int(table.value(k, c)) for k, c in keys}
        protected = engine.protect_table(
            counts,
            ("categorie", table.query.cut.value),
            audience=audience,
            indicator=code,
            cite_id=cite_id,
            threshold=threshold,
            categories=[categories, columns],
        )
        return Shown(
            table,
            {key: protected.value(key) for key in keys},
            {k: protected.margin(0, k) for k in categories},
            {c: protected.margin(1, c) for c in columns},
            protected.total,
            protected=True,
        )
    # Rows that overlap (a person on several rows) are protected one by one.
    cells: dict[tuple[str, str], Number | None] = {}
    for k in categories:
        row = {(c,): int(table.value(k, c)) for c in columns}
        protected = engine.protect_table(
            row,
            (table.query.cut.value,),
            audience=audience,
            indicator=f"{code}:{k}",
            cite_id=cite_id,
            threshold=threshold,
            categories=[columns],
        )
        for c in columns:
            cells[(k, c)] = protected.value((c,))
    return Shown(table, cells, {}, {}, None, protected=True)


def protect_sum(by_cite: dict[str, Number], *, unit: str, indicator: str) -> Number | None:
    """A figure summed across cités for the national animator (people counts through statistical secrecy)."""
    total = sum(by_cite.values(), start=0)
    if unit != Unit.PEOPLE.value:
        return total
    engine = _engine()
    if engine is None:
        return None if total else 0
    counts = {(cite,): int(value) for cite, value in by_cite.items()}
    protected = engine.protect_table(counts, ("cite",), audience=NATIONAL, indicator=indicator, cite_id=None)
    return protected.total  # type: ignore[no-any-return]
