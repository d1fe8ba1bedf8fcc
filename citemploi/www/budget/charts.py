"""A grouped horizontal bar chart computed on the server and drawn as SVG by the template (no script,
no inline style: colours are SVG attributes). Each chart comes with a data table for screen readers."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

#: DSFR illustrative colours, distinguishable in grey scale too (blue, orange, green, purple)
PALETTE = ("#000091", "#c3992a", "#18753c", "#6a6af4")

LABEL_WIDTH = 220
BAR_HEIGHT = 16
BAR_GAP = 4
GROUP_GAP = 18
PLOT_WIDTH = 420
VALUE_WIDTH = 110
TOP = 30


@dataclass(frozen=True)
class Bar:
    series: str
    value_label: str
    x: int
    y: int
    width: int
    height: int
    color: str
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Legend:
    label: str
    color: str
    x: int
    text_x: int


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    groups: tuple[Group, ...]
    legend: tuple[Legend, ...]
    label_width: int
    axis_height: int


def bar_chart(
    title: str,
    series: Sequence[str],
    rows: Sequence[tuple[str, Sequence[Decimal | int | None]]],
    formatter=str,
) -> BarChart:
    """rows: (group label, one value per series); None (a secret figure) draws no bar and reads « secret »."""
    values = [v for _, vals in rows for v in vals if v is not None]
    largest = max((float(v) for v in values), default=0.0) or 1.0
    groups = []
    y = TOP
    for label, vals in rows:
        bars = []
        group_top = y
        for index, value in enumerate(vals):
            width = 0 if value is None else max(0, round(float(value) / largest * PLOT_WIDTH))
            color = PALETTE[index % len(PALETTE)]
            bars.append(
                Bar(
                    series=series[index],
                    value_label="secret" if value is None else formatter(value),
                    x=LABEL_WIDTH,
                    y=y,
                    width=width,
                    height=BAR_HEIGHT,
                    color=color,
                    text_x=LABEL_WIDTH + width + 6,
                    text_y=y + BAR_HEIGHT - 4,
                )
            )
            y += BAR_HEIGHT + BAR_GAP
        groups.append(Group(label=label, label_y=(group_top + y - BAR_GAP) // 2 + 4, bars=tuple(bars)))
        y += GROUP_GAP
    legend = []
    x = 10
    for index, name in enumerate(series):
        legend.append(Legend(label=name, color=PALETTE[index % len(PALETTE)], x=x, text_x=x + 18))
        x += 18 + 9 * len(name) + 20
    return BarChart(
        title=title,
        width=max(LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH, x),
        height=y,
        groups=tuple(groups),
        legend=tuple(legend),
        label_width=LABEL_WIDTH - 8,
        axis_height=y - GROUP_GAP,
    )
