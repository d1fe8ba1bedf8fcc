"""An attacker who knows every figure a protected table publishes, written independently of the engine.

It sets up the linear equations of the published table (cells add up to margins, margins to the total),
moves the published figures to the right-hand side and looks, for each hidden figure, for another
solution with every figure non-negative where that figure takes a different value. Finding one proves
that the figure cannot be recomputed; the solution is then checked against every equation.
"""

from fractions import Fraction
from itertools import product

from citemploi.secrecy.engine import ALL, ProtectedTable


def published_figures(table: ProtectedTable) -> dict[tuple[str, ...], int | None]:
    """Every figure the table publishes (None when secret): cells of the grid, margins, total."""
    size = len(table.dimensions)
    figures: dict[tuple[str, ...], int | None] = {}
    for key in product(*table.categories):
        figures[tuple(key)] = table.value(key)
    if size > 1:
        for index, categories in enumerate(table.categories):
            for category in categories:
                key = tuple(category if i == index else ALL for i in range(size))
                figures[key] = table.margin(index, category)
    figures[(ALL,) * size] = table.total
    return figures


def equations_of(table: ProtectedTable) -> list[dict[tuple[str, ...], int]]:
    size = len(table.dimensions)
    cells = [tuple(k) for k in product(*table.categories)]
    total = (ALL,) * size
    if size == 1:
        return [{**{c: 1 for c in cells}, total: -1}]
    equations = []
    for index, categories in enumerate(table.categories):
        margins = {}
        for category in categories:
            margin = tuple(category if i == index else ALL for i in range(size))
            equations.append({**{c: 1 for c in cells if c[index] == category}, margin: -1})
            margins[margin] = 1
        equations.append({**margins, total: -1})
    return equations


def _null_space(matrix: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    rows = [row[:] for row in matrix]
    pivot_columns: list[int] = []
    rank = 0
    for column in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        scale = rows[rank][column]
        rows[rank] = [v / scale for v in rows[rank]]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        pivot_columns.append(column)
        rank += 1
    free = [c for c in range(width) if c not in pivot_columns]
    basis = []
    for f in free:
        vector = [Fraction(0)] * width
        vector[f] = Fraction(1)
        for r, p in enumerate(pivot_columns):
            vector[p] = -rows[r][f]
        basis.append(vector)
    return basis


def attack(
    table: ProtectedTable, true_values: dict[tuple[str, ...], int]
) -> dict[tuple[str, ...], dict[tuple[str, ...], Fraction] | None]:
    """For each hidden figure, values for all hidden figures, consistent with everything published and
    non-negative, in which that figure differs from its true value; None when the published figures pin
    it down."""
    figures = published_figures(table)
    hidden = sorted(k for k, v in figures.items() if v is None)
    index = {k: i for i, k in enumerate(hidden)}
    matrix = []
    for equation in equations_of(table):
        row = [Fraction(0)] * len(hidden)
        for key, coefficient in equation.items():
            if key in index:
                row[index[key]] += coefficient
        if any(row):
            matrix.append(row)
    basis = _null_space(matrix, len(hidden))
    result: dict[tuple[str, ...], dict[tuple[str, ...], Fraction] | None] = {}
    for target in hidden:
        result[target] = None
        for direction in basis:
            if direction[index[target]] == 0:
                continue
            largest = max(abs(v) for v in direction)
            smallest_value = min(true_values[k] for k in hidden)
            if smallest_value <= 0:
                break
            step = Fraction(smallest_value, 2) / largest
            candidate = {k: true_values[k] + step * direction[index[k]] for k in hidden}
            if all(v >= 0 for v in candidate.values()):
                result[target] = candidate
                break
    return result


def alternative_solution(
    table: ProtectedTable, true_values: dict[tuple[str, ...], int], target: tuple[str, ...]
) -> dict[tuple[str, ...], Fraction] | None:
    return attack(table, true_values)[target]


def satisfies(table: ProtectedTable, candidate: dict[tuple[str, ...], Fraction]) -> bool:
    """Every equation holds with the published figures and the candidate hidden ones."""
    figures = published_figures(table)
    for equation in equations_of(table):
        total = Fraction(0)
        for key, coefficient in equation.items():
            value = figures[key]
            total += coefficient * (candidate[key] if value is None else value)
        if total != 0:
            return False
    return True
