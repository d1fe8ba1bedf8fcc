"""Statistical secrecy of a cross-tabulation: primary and complementary suppression, rates.

Rules (docs/guide/secret-statistique.md, /docs indicators "Statistical secrecy"):

- a count from 1 to `threshold − 1` is not shown (primary suppression); zero is shown;
- what a table publishes is its cells, the margin of every category of every dimension (the sum over the
  other dimensions) and its total. Each margin and the total follow the same primary rule;
- these published figures are tied by linear equations: the cells of a category add up to its margin, the
  margins of a dimension add up to the total. An equation with exactly one hidden figure gives it away, so
  the smallest shown non-zero figure of that equation is hidden too (complementary suppression), until no
  equation has exactly one hidden figure;
- that is not always enough (two groups of hidden cells linked by a single cell let an attacker recompute
  it by adding equations), so an exact check follows: a hidden figure is recomputable when it is a linear
  combination of the equations restricted to the hidden figures. Each recomputable figure gets a new
  complementary suppression among the equations it appears in, and both steps repeat to a fixed point;
- only non-zero figures are ever hidden, so every hidden figure can move a little in both directions
  along a free direction of the equations: no hidden figure can be pinned down, even with the knowledge
  that counts are never negative;
- a rate (or a mean, a median) is not shown when its denominator is under the threshold, nor when its
  numerator or the rest of its denominator is a small count that rate × denominator would give back
  (`hide_rates`).

This module is pure (no database); `citemploi.secrecy.services.protect_table` adds the threshold look-up
and the log.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product

#: marks a summed dimension in a margin's or the total's key: ("QN1", "*") is QN1's row margin
ALL = "*"

PRIMARY = "primary"
COMPLEMENTARY = "complementary"
RATE = "rate"

Key = tuple[str, ...]


@dataclass(frozen=True)
class _Item:
    """A published figure: a cell, a margin or the total, keyed with ALL for summed dimensions."""

    key: Key
    value: int


@dataclass
class ProtectedTable:
    """A cross-tabulation ready to leave the cité: every accessor returns None for a secret figure."""

    dimensions: tuple[str, ...]
    threshold: int
    categories: tuple[tuple[str, ...], ...]
    _values: dict[Key, int]
    _hidden: set[Key]
    #: (key, rule) of every hidden figure, in the order they were hidden; margins and the total have ALL
    #: in place of their summed dimensions
    suppressed: list[tuple[Key, str]] = field(default_factory=list)

    def _get(self, key: Key) -> int | None:
        if key in self._hidden:
            return None
        return self._values.get(key, 0)

    def value(self, key: Sequence[str]) -> int | None:
        """A cell's count, None when secret. A combination absent from the counts is a zero."""
        key = tuple(key)
        if len(key) != len(self.dimensions):
            raise KeyError(f"La clé {key!r} n'a pas {len(self.dimensions)} composante(s).")
        for index, component in enumerate(key):
            if component not in self.categories[index]:
                raise KeyError(
                    f"Catégorie inconnue {component!r} pour la dimension {self.dimensions[index]}."
                )
        return self._get(key)

    def margin(self, dimension_index: int, category: str) -> int | None:
        """The sum over the other dimensions for one category of a dimension, None when secret."""
        if category not in self.categories[dimension_index]:
            raise KeyError(
                f"Catégorie inconnue {category!r} pour la dimension {self.dimensions[dimension_index]}."
            )
        return self._get(_margin_key(len(self.dimensions), dimension_index, category))

    @property
    def total(self) -> int | None:
        return self._get((ALL,) * len(self.dimensions))

    def is_secret(self, key: Sequence[str]) -> bool:
        return tuple(key) in self._hidden

    @property
    def hidden_keys(self) -> frozenset[Key]:
        return frozenset(self._hidden)

    def equations(self) -> list[list[tuple[Key, int]]]:
        """The linear equations tying the published figures: each is [(key, coefficient)], summing to 0."""
        return _equations(self.categories, self._values)

    def raw(self, key: Key) -> int:
        """The exact figure behind any key (cells, margins with ALL, total) — never publish it."""
        return self._values.get(key, 0)


def _margin_key(size: int, dimension_index: int, category: str) -> Key:
    return tuple(category if i == dimension_index else ALL for i in range(size))


def _categories(counts: Mapping[Key, int], size: int, given: Sequence[Iterable[str]] | None) -> tuple:
    found: list[dict[str, None]] = [{} for _ in range(size)]
    if given is not None:
        if len(given) != size:
            raise ValueError("Il faut une liste de catégories par dimension.")
        for index, values in enumerate(given):
            for value in values:
                found[index][value] = None
    for key in counts:
        for index, component in enumerate(key):
            found[index].setdefault(component, None)
    return tuple(tuple(d) for d in found)


def _all_values(counts: Mapping[Key, int], categories: tuple[tuple[str, ...], ...]) -> dict[Key, int]:
    """Cells (non-zero ones), margins and total."""
    size = len(categories)
    values: dict[Key, int] = {}
    total = 0
    for key, count in counts.items():
        if count:
            values[key] = count
        total += count
        if size > 1:
            for index, component in enumerate(key):
                margin = _margin_key(size, index, component)
                values[margin] = values.get(margin, 0) + count
    values[(ALL,) * size] = total
    return values


def _equations(categories: tuple[tuple[str, ...], ...], values: Mapping[Key, int]) -> list:
    """[(key, coefficient)] lists whose weighted sum is zero. Zero cells are left out (they are shown and add
    nothing)."""
    size = len(categories)
    total_key = (ALL,) * size
    equations: list[list[tuple[Key, int]]] = []
    cells = [k for k in values if ALL not in k]
    if size == 1:
        equations.append([(k, 1) for k in cells] + [(total_key, -1)])
        return equations
    by_margin: dict[Key, list[tuple[Key, int]]] = {}
    for key in cells:
        for index, component in enumerate(key):
            by_margin.setdefault(_margin_key(size, index, component), []).append((key, 1))
    for index, dimension in enumerate(categories):
        margins = []
        for category in dimension:
            margin = _margin_key(size, index, category)
            margins.append((margin, 1))
            members = by_margin.get(margin, [])
            equations.append(members + [(margin, -1)])
        equations.append(margins + [(total_key, -1)])
    return equations


def _rank_key(key: Key, value: int) -> tuple:
    """Smallest value first; a cell before a margin before the total at equal value (a hidden margin hides
    more figures in turn); then the key for a stable choice."""
    return (value, key.count(ALL), key)


def _hide_partner(equation: list[tuple[Key, int]], values: Mapping[Key, int], hidden: set[Key]) -> Key | None:
    candidates = [k for k, _ in equation if k not in hidden and values.get(k, 0) > 0]
    if not candidates:
        return None
    return min(candidates, key=lambda k: _rank_key(k, values.get(k, 0)))


def _determined(equations: list[list[tuple[Key, int]]], hidden: set[Key]) -> list[Key]:
    """Hidden figures that the equations pin down: e_i lies in the row space of the equations restricted to
    the hidden figures, i.e. the reduced row echelon form has a row with a single non-zero entry."""
    columns = sorted(hidden)
    index = {k: i for i, k in enumerate(columns)}
    rows: list[dict[int, Fraction]] = []
    for equation in equations:
        row: dict[int, Fraction] = {}
        for key, coefficient in equation:
            if key in index:
                row[index[key]] = row.get(index[key], Fraction(0)) + coefficient
        row = {c: v for c, v in row.items() if v}
        if row:
            rows.append(row)
    # Gauss-Jordan elimination on sparse rows of exact fractions.
    pivots: list[tuple[int, dict[int, Fraction]]] = []
    for row in rows:
        for column, pivot_row in pivots:
            factor = row.get(column)
            if factor:
                for c, v in pivot_row.items():
                    new = row.get(c, Fraction(0)) - factor * v
                    if new:
                        row[c] = new
                    else:
                        row.pop(c, None)
        if not row:
            continue
        column = min(row)
        scale = row[column]
        row = {c: v / scale for c, v in row.items()}
        reduced = []
        for other_column, other in pivots:
            factor = other.get(column)
            if factor:
                for c, v in row.items():
                    new = other.get(c, Fraction(0)) - factor * v
                    if new:
                        other[c] = new
                    else:
                        other.pop(c, None)
            reduced.append((other_column, other))
        pivots = reduced + [(column, row)]
    return [columns[column] for column, row in pivots if len(row) == 1]


def protect(
    counts: Mapping[Key, int],
    dimensions: Sequence[str],
    *,
    threshold: int,
    categories: Sequence[Iterable[str]] | None = None,
) -> ProtectedTable:
    """Apply primary and complementary suppression to a cross-tabulation (see the module docstring)."""
    dimensions = tuple(dimensions)
    size = len(dimensions)
    if size == 0:
        raise ValueError("Un tableau a au moins une dimension.")
    if threshold < 1:
        raise ValueError("Le seuil de secret statistique est au moins 1.")
    clean: dict[Key, int] = {}
    for raw_key, count in counts.items():
        key = tuple(raw_key)
        if len(key) != size:
            raise ValueError(f"La clé {key!r} n'a pas {size} composante(s) ({', '.join(dimensions)}).")
        if any(not isinstance(c, str) or c == ALL for c in key):
            raise ValueError(f"La clé {key!r} doit être faite de libellés (texte), différents de « {ALL} ».")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"Le comptage de {key!r} doit être un entier positif ou nul.")
        if key in clean:
            raise ValueError(f"La clé {key!r} est donnée deux fois.")
        clean[key] = count
    cats = _categories(clean, size, categories)
    values = _all_values(clean, cats)
    equations = _equations(cats, values)

    hidden: set[Key] = set()
    suppressed: list[tuple[Key, str]] = []
    for key in sorted(values, key=lambda k: (k.count(ALL), k)):
        if 0 < values[key] < threshold:
            hidden.add(key)
            suppressed.append((key, PRIMARY))

    def hide(key: Key) -> None:
        hidden.add(key)
        suppressed.append((key, COMPLEMENTARY))

    while True:
        changed = True
        while changed:
            changed = False
            for equation in equations:
                unknown = sum(1 for k, _ in equation if k in hidden)
                if unknown == 1:
                    partner = _hide_partner(equation, values, hidden)
                    if partner is not None:
                        hide(partner)
                        changed = True
        if not hidden:
            break
        pinned = _determined(equations, hidden)
        if not pinned:
            break
        progress = False
        for key in pinned:
            for equation in equations:
                if any(k == key for k, _ in equation):
                    partner = _hide_partner(equation, values, hidden)
                    if partner is not None:
                        hide(partner)
                        progress = True
                        break
        if not progress:
            # Every figure sharing an equation with the pinned ones is hidden already: widen the search to
            # any equation holding a hidden figure.
            touching = [k for eq in equations if any(k in hidden for k, _ in eq) for k, _ in eq]
            partner = _hide_partner([(k, 1) for k in touching], values, hidden)
            if partner is None:
                break
            hide(partner)
    return ProtectedTable(
        dimensions=dimensions,
        threshold=threshold,
        categories=cats,
        _values=values,
        _hidden=hidden,
        suppressed=suppressed,
    )


def rate_or_none(numerator: int, denominator: int, *, threshold: int) -> float | None:
    """numerator / denominator, or None when the denominator is under the threshold (or zero)."""
    if denominator < 0 or numerator < 0:
        raise ValueError("Un taux se calcule sur des comptages positifs ou nuls.")
    if denominator == 0 or denominator < threshold:
        return None
    return numerator / denominator


def hide_rates(
    values: Mapping[Key, object],
    denominators: Mapping[Key, int] | None,
    keys: Iterable[Key],
    *,
    threshold: int,
    numerators: Mapping[Key, int] | None = None,
) -> tuple[dict[Key, object | None], list[tuple[Key, str]]]:
    """Rates, means and medians as they may be published: (value or None per key, [(key, RATE)] hidden).

    A figure is not shown when what it was computed over (its denominator: people, orientations, checks…)
    is under the threshold; when its numerator is known, also when the numerator or what the denominator
    leaves (denominator − numerator) is a count from 1 to threshold − 1, since rate × denominator would give
    that small count back. No denominator (None) at all, or none for a figure: hidden (fail closed). A
    denominator of zero means there is no figure: None, not logged (nothing was hidden)."""
    if threshold < 1:
        raise ValueError("Le seuil de secret statistique est au moins 1.")
    shown: dict[Key, object | None] = {}
    suppressed: list[tuple[Key, str]] = []
    for key in keys:
        value = values.get(key)
        denominator = None if denominators is None else denominators.get(key)
        if denominator is None:
            shown[key] = None
            if value is not None:
                suppressed.append((key, RATE))
            continue
        if denominator < 0:
            raise ValueError(f"Le dénominateur de {key!r} doit être positif ou nul.")
        if denominator == 0 or value is None:
            shown[key] = None
            continue
        small = denominator < threshold
        if numerators is not None and not small:
            numerator = numerators.get(key, 0)
            small = 0 < numerator < threshold or 0 < denominator - numerator < threshold
        if small:
            shown[key] = None
            suppressed.append((key, RATE))
        else:
            shown[key] = value
    return shown, suppressed


def all_keys(categories: tuple[tuple[str, ...], ...]) -> list[Key]:
    """Every cell key of the grid (cartesian product of the categories)."""
    return [tuple(k) for k in product(*categories)]
