"""Rates, means and medians: hidden when their denominator is under the threshold (hand-made cases)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citemploi.secrecy import protect_rates
from citemploi.secrecy.engine import RATE, hide_rates, protect
from citemploi.secrecy.models import SuppressionLog

KEYS = [("a",), ("b",), ("c",), ("d",)]


def test_denominator_under_the_threshold_hides_the_figure():
    shown, suppressed = hide_rates(
        {("a",): 12.5, ("b",): 40.0, ("c",): 3.0},
        {("a",): 10, ("b",): 11, ("c",): 30, ("d",): 0},
        KEYS,
        threshold=11,
    )
    # a: 10 < 11 hidden; b: 11 shown; c: a median over 30 shown; d: nothing measured, no figure
    assert shown == {("a",): None, ("b",): 40.0, ("c",): 3.0, ("d",): None}
    assert suppressed == [(("a",), RATE)]


def test_a_share_that_gives_a_small_count_back_is_hidden():
    shown, suppressed = hide_rates(
        {("a",): 25.0, ("b",): 80.0, ("c",): 100.0, ("d",): 50.0},
        {("a",): 40, ("b",): 40, ("c",): 40, ("d",): 40},
        KEYS,
        threshold=11,
        numerators={("a",): 10, ("b",): 32, ("c",): 40, ("d",): 20},
    )
    # a: 10 people (25 % of 40); b: 8 people left (40 − 32); c: 40 and 0; d: 20 and 20
    assert shown == {("a",): None, ("b",): None, ("c",): 100.0, ("d",): 50.0}
    assert [key for key, _ in suppressed] == [("a",), ("b",)]


def test_no_denominator_fails_closed():
    shown, suppressed = hide_rates({("a",): 50.0}, None, [("a",), ("b",)], threshold=11)
    assert shown == {("a",): None, ("b",): None}
    assert suppressed == [(("a",), RATE)]
    shown, suppressed = hide_rates({("a",): 50.0}, {}, [("a",)], threshold=11)
    assert shown == {("a",): None} and suppressed == [(("a",), RATE)]
    with pytest.raises(ValueError):
        hide_rates({}, {("a",): -1}, [("a",)], threshold=11)


def test_known_categories_without_counts_read_zero_in_every_accessor():
    # The second dimension has no count at all: every margin reads an exact zero, nothing is guessed.
    table = protect({}, ("categorie", "qpv"), threshold=11, categories=[["a", "b"], []])
    assert table.margin(0, "a") == 0 and table.margin(0, "b") == 0 and table.total == 0
    # Sparse counts (only non-zero ones, as the indicators return them), categories given.
    table = protect(
        {("a", "x"): 3, ("a", "y"): 20, ("c", "x"): 15, ("c", "y"): 40},
        ("categorie", "genre"),
        threshold=11,
        categories=[["a", "b", "c"], ["x", "y"]],
    )
    assert table.value(("b", "x")) == 0 and table.margin(0, "b") == 0
    assert table.margin(0, "a") == 23 and table.value(("a", "x")) is None
    with pytest.raises(KeyError):
        table.margin(0, "z")


@pytest.mark.django_db
def test_protect_rates_logs_what_it_hides_in_one_insert(world):
    with CaptureQueriesContext(connection) as queries:
        shown = protect_rates(
            {("3", "F"): 75.0, ("3", "H"): 50.0, ("6", "F"): 10.0},
            {("3", "F"): 8, ("3", "H"): 4, ("6", "F"): 30},
            [("3", "F"), ("3", "H"), ("6", "F")],
            audience="funders",
            indicator="outcomes.retention_rate",
            cite_id=world.cite.pk,
            threshold=5,
        )
    assert shown == {("3", "F"): 75.0, ("3", "H"): None, ("6", "F"): 10.0}
    assert len([q for q in queries.captured_queries if q["sql"].startswith("INSERT")]) == 1
    assert list(
        SuppressionLog.objects.values_list("indicator", "cell_key", "rule", "audience", "threshold")
    ) == [("outcomes.retention_rate", ["3", "H"], "rate", "funders", 5)]
