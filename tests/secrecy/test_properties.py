"""Property-based tests of the suppression: random tables of 1 to 3 dimensions, an attacker trying to
recompute every hidden figure."""

from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citemploi.secrecy.engine import ALL, protect
from tests.secrecy.attacker import attack, published_figures, satisfies

COUNT = st.one_of(st.just(0), st.integers(1, 12), st.integers(0, 60))


@st.composite
def tables(draw):
    size = draw(st.integers(1, 3))
    shape = [draw(st.integers(1, 4 if size < 3 else 3)) for _ in range(size)]
    categories = [[f"d{d}c{i}" for i in range(n)] for d, n in enumerate(shape)]
    counts = {tuple(key): draw(COUNT) for key in product(*categories)}
    threshold = draw(st.sampled_from([2, 5, 11]))
    return counts, tuple(f"dim{d}" for d in range(size)), threshold


def true_figures(counts, size):
    figures = dict(counts)
    for key, count in counts.items():
        if size > 1:
            for index, component in enumerate(key):
                margin = tuple(component if i == index else ALL for i in range(size))
                figures[margin] = figures.get(margin, 0) + count
    figures[(ALL,) * size] = sum(counts.values())
    return figures


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_small_count_is_published(table_spec):
    counts, dimensions, threshold = table_spec
    table = protect(counts, dimensions, threshold=threshold)
    for value in published_figures(table).values():
        assert value is None or value == 0 or value >= threshold


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_published_figures_are_the_true_ones(table_spec):
    counts, dimensions, threshold = table_spec
    table = protect(counts, dimensions, threshold=threshold)
    truth = true_figures(counts, len(dimensions))
    for key, value in published_figures(table).items():
        if value is not None:
            assert value == truth.get(key, 0)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_hidden_figure_can_be_recomputed(table_spec):
    counts, dimensions, threshold = table_spec
    table = protect(counts, dimensions, threshold=threshold)
    truth = true_figures(counts, len(dimensions))
    attempts = attack(table, truth)
    for key, candidate in attempts.items():
        # Only non-zero figures are hidden.
        assert truth[key] > 0
        assert candidate is not None, f"{key} peut être recalculée"
        assert candidate[key] != truth[key]
        assert satisfies(table, candidate)


@settings(max_examples=200, deadline=None)
@given(tables())
def test_every_row_or_column_with_hidden_figures_has_two(table_spec):
    counts, dimensions, threshold = table_spec
    table = protect(counts, dimensions, threshold=threshold)
    for equation in table.equations():
        hidden = [k for k, _ in equation if table.is_secret(k)]
        assert len(hidden) != 1


@settings(max_examples=100, deadline=None)
@given(tables())
def test_suppressed_lists_every_hidden_figure_once(table_spec):
    counts, dimensions, threshold = table_spec
    table = protect(counts, dimensions, threshold=threshold)
    keys = [k for k, _ in table.suppressed]
    assert len(keys) == len(set(keys))
    assert set(keys) == {k for k, v in published_figures(table).items() if v is None}
