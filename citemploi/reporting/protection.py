"""Statistical secrecy of the figures that leave the coordination (steering members, national page, exports).

The rules live in citemploi.secrecy (`protect_table`); this module turns an indicator table into what a
protected audience may see. Only counts of people are protected: counts of events, files or services and
amounts of money do not describe anyone. If the secrecy engine cannot be loaded, every non-zero count of
people is hidden (fail closed) rather than shown exactly.
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
    try:
        from citemploi import secrecy

        return secrecy.protect_table
    except (ImportError, AttributeError):
        return None


def _safe(read: Any, *args: Any) -> Number | None:
    """A protected figure; a category with no count at all is an exact zero (zero is always shown)."""
    try:
        return read(*args)  # type: ignore[no-any-return]
    except KeyError:
        return 0


def protect(table: Table, *, audience: str, cite_id: int | None) -> Shown:
    """The table as `audience` may see it (exact when it counts no people)."""
    if not table.indicator.protected:
        return exact(table)
    engine = _engine()
    keys = [(k, c) for k, _ in table.categories for c, _ in table.columns]
    code = table.indicator.code
    if engine is None:
        hidden: dict[tuple[str, str], Number | None] = {
            key: (None if table.value(*key) else 0) for key in keys
        }
        return Shown(table, hidden, {}, {}, None, protected=True)
    if table.indicator.additive:
        counts = {(k, c): int(table.value(k, c)) for k, c in keys}
        protected = engine(
            counts, ("categorie", table.query.cut.value), audience=audience, indicator=code, cite_id=cite_id
        )
        return Shown(
            table,
            {key: _safe(protected.value, key) for key in keys},
            {k: _safe(protected.margin, 0, k) for k, _ in table.categories},
            {c: _safe(protected.margin, 1, c) for c, _ in table.columns},
            protected.total,
            protected=True,
        )
    # Rows that overlap (a person on several rows) are protected one by one.
    cells: dict[tuple[str, str], Number | None] = {}
    for k, _ in table.categories:
        row = {(c,): int(table.value(k, c)) for c, _ in table.columns}
        protected = engine(
            row, (table.query.cut.value,), audience=audience, indicator=f"{code}:{k}", cite_id=cite_id
        )
        for c, _ in table.columns:
            cells[(k, c)] = _safe(protected.value, (c,))
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
    return engine(counts, ("cite",), audience=NATIONAL, indicator=indicator, cite_id=None).total  # type: ignore[no-any-return]
