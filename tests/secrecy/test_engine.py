"""Hand-made tables: what is hidden and why."""

import pytest

from citemploi.secrecy.engine import ALL, COMPLEMENTARY, PRIMARY, protect, rate_or_none


def test_zero_is_shown_and_small_counts_are_secret():
    table = protect({("a",): 0, ("b",): 30, ("c",): 40, ("d",): 12}, ("x",), threshold=11)
    assert table.value(("a",)) == 0
    assert table.value(("b",)) == 30
    assert table.total == 82
    assert table.suppressed == []


def test_a_row_of_three_with_one_secret_hides_the_next_smallest():
    table = protect({("a",): 4, ("b",): 25, ("c",): 13}, ("x",), threshold=11)
    assert table.value(("a",)) is None
    # 25 + 13 + secret = 42: c (13, the smallest non-zero) is hidden too.
    assert table.value(("c",)) is None
    assert table.value(("b",)) == 25
    assert table.total == 42
    assert table.suppressed == [(("a",), PRIMARY), (("c",), COMPLEMENTARY)]


def test_a_total_under_the_threshold_is_secret_with_its_cells():
    table = protect({("a",): 4, ("b",): 3}, ("x",), threshold=11)
    assert table.total is None
    assert table.value(("a",)) is None
    assert table.value(("b",)) is None


def test_a_single_secret_cell_whose_partners_are_zero_hides_the_margin():
    # Row r1 = [5, 0] → margin 5 is secret too; column c1 = [5, 20] → 20 hidden; row r2 = [20, 30]
    # then has one hidden cell → 30 hidden; column c2 = [0, 30] → margin of c2 hidden, and so on.
    table = protect(
        {("r1", "c1"): 5, ("r1", "c2"): 0, ("r2", "c1"): 20, ("r2", "c2"): 30},
        ("ligne", "colonne"),
        threshold=11,
    )
    assert table.value(("r1", "c1")) is None
    assert table.margin(0, "r1") is None
    assert table.value(("r2", "c1")) is None
    assert table.value(("r1", "c2")) == 0
    for equation in table.equations():
        assert sum(1 for k, _ in equation if table.is_secret(k)) != 1


def test_two_dimensional_table_with_one_secret_cell():
    counts = {
        ("QN1", "F"): 3,
        ("QN1", "H"): 20,
        ("QN2", "F"): 15,
        ("QN2", "H"): 40,
    }
    table = protect(counts, ("qpv", "genre"), threshold=11)
    assert [k for k, _ in table.suppressed] == [
        ("QN1", "F"),
        ("QN1", "H"),  # row QN1: 20 is its only partner
        ("QN2", "F"),  # column F: 15
        ("QN2", "H"),  # row QN2 and column H: 40
    ]
    assert table.margin(0, "QN1") == 23
    assert table.margin(1, "F") == 18
    assert table.total == 78


def test_bridge_between_two_groups_of_hidden_cells_is_protected():
    """Hidden cells whose rows and columns all hold two of them can still be recomputed when a single
    cell links two groups; the exact check catches it."""
    counts = {}
    rows, cols = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    for r in rows:
        for c in cols:
            counts[(r, c)] = 50
    for key in [("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2"), ("r3", "c3"), ("r3", "c4")]:
        counts[key] = 2
    table = protect(counts, ("r", "c"), threshold=11)
    from tests.secrecy.attacker import alternative_solution, published_figures
    from tests.secrecy.test_properties import true_figures

    truth = true_figures(counts, 2)
    for key, value in published_figures(table).items():
        if value is None:
            assert alternative_solution(table, truth, key) is not None


def test_margin_accessors_and_keys():
    table = protect({("a", "x"): 12, ("b", "x"): 0}, ("d1", "d2"), threshold=11)
    assert table.margin(0, "a") == 12
    assert table.margin(1, "x") == 12
    assert table.value(("b", "x")) == 0
    with pytest.raises(KeyError):
        table.value(("z", "x"))
    with pytest.raises(KeyError):
        table.margin(0, "z")


def test_categories_without_counts_read_zero():
    table = protect({("a",): 12}, ("x",), threshold=11, categories=[["a", "b"]])
    assert table.categories == (("a", "b"),)
    assert table.value(("b",)) == 0


@pytest.mark.parametrize(
    "counts",
    [
        {("a",): -1},
        {("a", "b"): 3},
        {("a",): 1.5},
        {(ALL,): 3},
    ],
)
def test_bad_tables_are_refused(counts):
    with pytest.raises(ValueError):
        protect(counts, ("x",), threshold=11)


def test_rates():
    assert rate_or_none(44, 147, threshold=11) == pytest.approx(0.2993, abs=1e-4)
    assert rate_or_none(4, 10, threshold=11) is None
    assert rate_or_none(0, 0, threshold=11) is None
    assert rate_or_none(0, 11, threshold=11) == 0
