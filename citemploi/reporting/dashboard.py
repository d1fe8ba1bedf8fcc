"""What a dashboard shows: the indicator tables of a query, as an audience may see them, with their bars."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from citemploi.budget import queries as budget_queries
from citemploi.budget.queries import BudgetSummary
from citemploi.core.context import ActingContext
from citemploi.reporting.indicators import REGISTRY, Query, Unit
from citemploi.reporting.indicators.base import Number
from citemploi.reporting.protection import Shown, exact, protect

#: the dashboard's sections, in order, and the indicators of each
SECTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("reperage", "Repérage", ("people.identified", "people.invisible_reached")),
    ("cohortes", "Cohortes", ("cohorts.funnel",)),
    ("freins", "Freins", ("barriers.identified", "barriers.open", "barriers.lifted", "barriers.lift_rate")),
    (
        "orientations",
        "Orientations",
        ("orientations.outcomes", "orientations.refusal_reasons", "orientations.delays"),
    ),
    (
        "sorties",
        "Sorties et maintien",
        (
            "outcomes.by_type",
            "outcomes.retention_checks",
            "outcomes.retention_rate",
            "cohorts.solution_people",
            "cohorts.solution_share",
        ),
    ),
    (
        "evenements",
        "Actions et événements",
        (
            "events.count",
            "events.participants",
            "events.participants_profile",
            "events.hours",
            "events.results",
        ),
    ),
    (
        "aap",
        "Appels à projets",
        (
            "calls.applications",
            "calls.amounts",
            "calls.envelope",
            "calls.envelope_share",
            "calls.reports",
            "calls.cost_per_person",
        ),
    ),
    (
        "offre",
        "Offre de services",
        ("offer.services_by_step", "offer.services_by_barrier", "offer.services_stale"),
    ),
]


@dataclass
class Bar:
    key: str
    label: str
    value: Number | None
    #: width in per cent of the largest bar (0 when secret or zero)
    width: float
    y: int

    #: the chart's geometry, in per cent of its width: labels on the left 40 %, bars on the next 45 %
    @property
    def bar_width(self) -> float:
        return round(self.width * 0.45, 2)

    @property
    def value_x(self) -> float:
        return round(41 + self.bar_width, 2)

    @property
    def text_y(self) -> int:
        return self.y + 17

    # The same geometry in a drawing 1,000 units wide (the PDF draws in user units, not percentages).
    @property
    def bar_units(self) -> float:
        return round(self.bar_width * 10, 1)

    @property
    def value_units(self) -> float:
        return round(self.value_x * 10, 1)


@dataclass
class Block:
    shown: Shown
    bars: list[Bar]
    links: dict[str, str] = field(default_factory=dict)

    @property
    def indicator(self):  # type: ignore[no-untyped-def]
        return self.shown.table.indicator

    @property
    def chart_height(self) -> int:
        return max(1, len(self.bars)) * BAR_STEP

    @property
    def slug(self) -> str:
        return self.indicator.code.replace(".", "-").replace("_", "-")


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block]


BAR_STEP = 28

#: the indicators of a cohort page: those whose computation reads the cohort filter (Query.cohort_id); the
#: others would give the whole cité's figures under the cohort's name. Outcomes and retention count the
#: cohort's members (indicators.base.cohort_member).
COHORT_CODES = (
    "cohorts.funnel",
    "outcomes.by_type",
    "outcomes.retention_checks",
    "outcomes.retention_rate",
    "cohorts.solution_people",
    "cohorts.solution_share",
)


def _bars(shown: Shown) -> list[Bar]:
    table = shown.table
    values: list[tuple[str, str, Number | None]] = []
    for row in shown.rows:
        value = (
            row["total"]
            if table.indicator.additive
            else (row["cells"][0] if len(table.columns) == 1 else None)
        )
        if value is None and not shown.protected and not table.indicator.additive and len(table.columns) > 1:
            continue
        values.append((row["key"], row["label"], value))
    return bars(values)


def bars(values: list[tuple[str, str, Number | None]]) -> list[Bar]:
    """Horizontal bars of (key, label, value), scaled to the largest; None (a secret figure) draws no bar."""
    top = max((float(v) for _, _, v in values if v), default=0.0)
    return [
        Bar(key, label, value, round(float(value) * 100 / top, 2) if value and top else 0.0, i * BAR_STEP)
        for i, (key, label, value) in enumerate(values)
    ]


def build(
    query: Query, *, audience: str | None, cite_id: int | None, codes: tuple[str, ...] | None = None
) -> list[Section]:
    """The sections of a dashboard. `audience` None: exact figures (the cité's coordination)."""
    from citemploi.reporting import freshness
    from citemploi.secrecy import Thresholds

    sections, thresholds = [], Thresholds()
    stamp = freshness.Stamp.of(query.cite_ids) if settings.INDICATOR_CACHE_SECONDS > 0 else None
    wanted = [
        code
        for _key, _title, section_codes in SECTIONS
        for code in section_codes
        if code in REGISTRY and (codes is None or code in codes)
    ]
    # computed together (several connections at once), then protected one by one in this thread
    tables = dict(zip(wanted, freshness.run_many([REGISTRY[c] for c in wanted], query, stamp), strict=True))
    for key, title, section_codes in SECTIONS:
        blocks = []
        for code in section_codes:
            if code not in tables:
                continue
            table = tables[code]
            shown = (
                exact(table)
                if audience is None
                else protect(table, audience=audience, cite_id=cite_id, thresholds=thresholds)
            )
            blocks.append(Block(shown, _bars(shown)))
        if blocks:
            sections.append(Section(key, title, blocks))
    return sections


def flat_rows(sections: list[Section]) -> list[list[object]]:
    """Long format of every table: indicator, unit, category, column, value ('secret' when hidden)."""
    rows: list[list[object]] = []
    for section in sections:
        for block in section.blocks:
            table = block.shown.table
            for row in block.shown.rows:
                for (col, col_label), value in zip(table.columns, row["cells"], strict=True):
                    rows.append(
                        [
                            table.indicator.code,
                            table.indicator.name,
                            table.indicator.unit.label,
                            row["label"],
                            col_label if col != "all" else "Total",
                            "secret" if value is None else _cell(value),
                        ]
                    )
    return rows


def _cell(value: Number) -> object:
    if isinstance(value, int):
        return value
    number = float(value)
    return int(number) if number.is_integer() else round(number, 2)


FLAT_HEADER = ["Code", "Indicateur", "Unité", "Catégorie", "Ventilation", "Valeur"]


def sheet_rows(block: Block) -> tuple[list[str], list[list[object]]]:
    """One table as a sheet: categories × columns (and totals when they add up)."""
    table = block.shown.table
    additive = table.indicator.additive
    header = (
        ["Catégorie"]
        + [label for _, label in table.columns]
        + (["Total"] if additive and len(table.columns) > 1 else [])
    )
    rows = []
    for row in block.shown.rows:
        cells = ["secret" if v is None else _cell(v) for v in row["cells"]]
        if additive and len(table.columns) > 1:
            cells.append("secret" if row["total"] is None else _cell(row["total"]))
        rows.append([row["label"], *cells])
    if additive:
        total = block.shown.total
        footer = ["secret" if v is None else _cell(v) for v in block.shown.footer]
        if len(table.columns) > 1:
            footer.append("secret" if total is None else _cell(total))
        rows.append(["Total", *footer])
    return header, rows


@dataclass
class BudgetBlock:
    """The cité's budget of one year, as the dashboard summarises it (amounts of money: never protected)."""

    year: int
    summary: BudgetSummary | None
    #: the budget screen, when the acting role may open it (set by the view)
    url: str | None = None

    @property
    def typed_commitments(self) -> int:
        return len(self.summary.commitments) if self.summary else 0

    @property
    def grants(self) -> int:
        return len(self.summary.grants) if self.summary else 0

    @property
    def calls_committed(self) -> Decimal:
        return (
            sum((line.committed_calls for line in self.summary.lines), Decimal(0))
            if self.summary
            else Decimal(0)
        )


def budget_block(ctx: ActingContext, year: int) -> BudgetBlock | None:
    """The budget of `year` (the year the period ends) if the acting role may read the budget, else None.

    One query when no budget was recorded for the year, six otherwise (see citemploi.budget.queries.summary).
    """
    if not ctx.can("budget.view") or ctx.cite_id is None:
        return None
    budget = budget_queries.find_budget(ctx, year)
    return BudgetBlock(year, budget_queries.summary(budget) if budget is not None else None)


__all__ = [
    "BAR_STEP",
    "COHORT_CODES",
    "SECTIONS",
    "Block",
    "BudgetBlock",
    "Section",
    "Unit",
    "bars",
    "budget_block",
    "build",
    "flat_rows",
    "sheet_rows",
]
