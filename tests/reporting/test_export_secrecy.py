"""Exports (XLSX, CSV) and statistical secrecy (issue #8): what leaves the cité never holds a count of people
under the threshold, a rate over too few, nor a hidden cell that the exported totals give back.

Random tables go through the real chain — `protect`, the dashboard's sheet and flat rows, the XLSX and CSV
writers — and the files are read back the way a funder would read them; then a hand-built world is exported
through the steering and national pages."""

import csv
import io
from fractions import Fraction
from itertools import product

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from citemploi.core.spreadsheets import csv_bytes, xlsx_bytes
from citemploi.reporting import dashboard
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from citemploi.reporting.indicators.base import Table
from citemploi.reporting.protection import FUNDERS, NATIONAL, STEERING, protect
from tests.conftest import login_as
from tests.reporting.test_screens import T1, _activity, _people

pytestmark = pytest.mark.django_db

Q1 = Period.quarter(2026, 1)
SECRET = "secret"
COUNT = st.one_of(st.just(0), st.integers(1, 12), st.integers(0, 40))


class FixedThresholds:
    """The threshold drawn for the example, whatever the cité and audience."""

    def __init__(self, threshold):
        self.threshold = threshold

    def get(self, cite_id, audience):
        return self.threshold


@st.composite
def tables(draw):
    """A table of an indicator of each kind: people in exclusive rows (totals exported), people on
    overlapping rows (no totals), a rate with its denominators and numerators."""
    kind = draw(st.sampled_from(["additive", "overlapping", "rate"]))
    code = {
        "additive": "people.identified",
        "overlapping": "cohorts.funnel",
        "rate": "outcomes.retention_rate",
    }[kind]
    rows = [f"k{i}" for i in range(draw(st.integers(1, 4)))]
    width = draw(st.integers(1, 4))
    cut = Cut.GENDER if width > 1 else Cut.NONE
    columns = [f"c{i}" for i in range(width)] if width > 1 else ["all"]
    cells, denominators, numerators = {}, {}, {}
    for key in product(rows, columns):
        if kind == "rate":
            denominators[key] = draw(COUNT)
            numerators[key] = draw(st.integers(0, denominators[key]))
            if denominators[key]:
                cells[key] = round(numerators[key] * 100 / denominators[key], 1)
        else:
            cells[key] = draw(COUNT)
    table = Table(
        REGISTRY[code],
        Query((1,), Q1, cut),
        [(k, f"Ligne {k}") for k in rows],
        [(c, f"Colonne {c}") for c in columns],
        cells,
        denominators=denominators if kind == "rate" else None,
        numerators=numerators if kind == "rate" else None,
    )
    audience = draw(st.sampled_from([STEERING, NATIONAL, FUNDERS]))
    threshold = draw(st.sampled_from([2, 5, 11]))
    return kind, table, audience, threshold


def _read_xlsx(content: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets}


def _number(value):
    """A figure as read from a file: None for « secret », else a Fraction."""
    if value == SECRET:
        return None
    return Fraction(str(value).replace(",", "."))


def _determined(equations: list[dict], hidden: list) -> list:
    """The hidden figures that the published equations pin down (e_i in the row space of the equations
    restricted to the hidden figures), by exact Gaussian elimination."""

    def rank(rows: list[list[Fraction]]) -> int:
        rows = [r[:] for r in rows]
        r = 0
        for c in range(len(hidden)):
            pivot = next((i for i in range(r, len(rows)) if rows[i][c] != 0), None)
            if pivot is None:
                continue
            rows[r], rows[pivot] = rows[pivot], rows[r]
            for i in range(len(rows)):
                if i != r and rows[i][c] != 0:
                    f = rows[i][c] / rows[r][c]
                    rows[i] = [a - f * b for a, b in zip(rows[i], rows[r], strict=True)]
            r += 1
        return r

    index = {k: i for i, k in enumerate(hidden)}
    matrix = []
    for equation in equations:
        row = [Fraction(0)] * len(hidden)
        for key, coefficient in equation.items():
            if key in index:
                row[index[key]] += coefficient
        if any(row):
            matrix.append(row)
    base = rank(matrix)
    pinned = []
    for key in hidden:
        unit = [Fraction(0)] * len(hidden)
        unit[index[key]] = Fraction(1)
        if rank([*matrix, unit]) == base:
            pinned.append(key)
    return pinned


def _check_sheet(kind, table, sheet, threshold):
    header, *rows = sheet
    columns = [c for c, _ in table.columns]
    has_total_column = header[-1] == "Total" and len(header) == len(columns) + 2
    body = rows[:-1] if kind == "additive" else rows
    figures: dict[tuple, Fraction | None] = {}
    for (key, _), row in zip(table.categories, body, strict=True):
        for col, value in zip(columns, row[1 : 1 + len(columns)], strict=True):
            figures[(key, col)] = _number(value)
        if has_total_column:
            figures[(key, "*")] = _number(row[-1])
    if kind == "additive":
        footer = rows[-1]
        assert footer[0] == "Total"
        for col, value in zip(columns, footer[1 : 1 + len(columns)], strict=True):
            figures[("*", col)] = _number(value)
        figures[("*", "*")] = _number(footer[-1]) if has_total_column else figures[("*", columns[0])]

    if kind == "rate":
        for key, value in figures.items():
            denominator = table.denominators.get(key, 0)
            numerator = table.numerators.get(key, 0)
            if value is not None:
                assert denominator >= threshold, (key, value, denominator)
                assert numerator == 0 or numerator >= threshold
                assert denominator - numerator == 0 or denominator - numerator >= threshold
        return

    # No count of people from 1 to threshold − 1 in the file; every shown count is the true one.
    truth = dict(table.cells)
    for key, value in figures.items():
        if value is not None:
            assert value == 0 or value >= threshold, (key, value)
            if "*" not in key:
                assert value == truth.get(key, 0)

    if kind == "additive":
        # No hidden figure can be recomputed from the cells and totals the file gives: each column adds up
        # to its total; with several columns, each row to its total and the totals to the grand total.
        equations = [{**{(key, col): 1 for key, _ in table.categories}, ("*", col): -1} for col in columns]
        if has_total_column:
            for key, _ in table.categories:
                equations.append({**{(key, col): 1 for col in columns}, (key, "*"): -1})
            equations.append({**{(key, "*"): 1 for key, _ in table.categories}, ("*", "*"): -1})
            equations.append({**{("*", col): 1 for col in columns}, ("*", "*"): -1})
        else:
            figures.pop(("*", "*"))  # one column: the grand total is the column's total, read once
        hidden = sorted(k for k, v in figures.items() if v is None)
        assert not _determined(equations, hidden), (figures, table.cells)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_exported_files_hold_no_small_count_and_no_recomputable_cell(spec):
    kind, table, audience, threshold = spec
    shown = protect(
        table,
        audience=audience,
        cite_id=None,
        thresholds=FixedThresholds(threshold),
    )
    block = dashboard.Block(shown, [])
    section = dashboard.Section("s", "Section", [block])
    sheets = _read_xlsx(xlsx_bytes({table.indicator.name[:31]: dashboard.sheet_rows(block)}))
    _check_sheet(kind, table, sheets[table.indicator.name[:31]], threshold)

    flat = csv_bytes(dashboard.FLAT_HEADER, dashboard.flat_rows([section])).decode("utf-8-sig")
    for row in list(csv.reader(io.StringIO(flat), delimiter=";"))[1:]:
        value = _number(row[-1])
        if value is not None and kind != "rate":
            assert value == 0 or value >= threshold, row


# --- Whole pages --------------------------------------------------------------------------------------------


def _protected_sheets():
    """Sheet name → indicator, for the indicators whose counts describe people (not rates)."""
    return {i.name[:31]: i for i in REGISTRY.values() if i.protected and not i.ratio}


def _assert_no_small_count(sheets, threshold):
    people = _protected_sheets()
    checked = 0
    for title, rows in sheets.items():
        if title not in people:
            continue
        for row in rows[1:]:
            for value in row[1:]:
                if isinstance(value, (int, float)):
                    assert value == 0 or value >= threshold, (title, row)
                    checked += 1
    return checked


@pytest.mark.parametrize("ventilation", ["", "qpv", "gender", "action"])
def test_steering_export_of_a_small_world(client, world, ventilation):
    # 5 people found at a forum, 3 with an orientation, an outcome and a 3-month check: all under 11
    _people(world, 5)
    _activity(world, 3)
    login_as(client, world.steering)
    params = {"periode": T1, "ventilation": ventilation}
    response = client.get(reverse("reporting:export", args=["xlsx"]), params)
    assert response.status_code == 200
    sheets = _read_xlsx(response.content)
    assert _assert_no_small_count(sheets, 11) > 0
    identified = [v for row in sheets["Personnes repérées"] for v in row]
    if ventilation == "action":  # no funded action reached anyone: no column at all
        assert sheets["Personnes repérées"][0] == ["Catégorie"]
    else:
        assert SECRET in identified
    # the retention rate (3 checks) and the delays (3 orientations) are not shown
    rates = sheets[REGISTRY["outcomes.retention_rate"].name[:31]]
    assert not [v for row in rates[1:] for v in row[1:] if isinstance(v, (int, float))]
    flat = client.get(reverse("reporting:export", args=["csv"]), params).content.decode("utf-8-sig")
    people = {i.code for i in REGISTRY.values() if i.protected and not i.ratio}
    for row in list(csv.reader(io.StringIO(flat), delimiter=";"))[1:]:
        if row[0] in people and row[-1] != SECRET:
            assert float(row[-1]) == 0 or float(row[-1]) >= 11, row
        if row[0] in ("outcomes.retention_rate", "orientations.delays"):
            assert row[-1] == SECRET, row


def test_national_export_across_cites(client, world):
    _people(world, 12)
    _people(world, 4, cite=world.other_cite)
    login_as(client, world.national)
    response = client.get(
        reverse("reporting:national_export", args=["xlsx"]), {"periode": T1, "ventilation": "cite"}
    )
    assert response.status_code == 200
    sheets = _read_xlsx(response.content)
    assert _assert_no_small_count(sheets, 11) > 0
    identified = sheets["Personnes repérées"]
    forum = next(row for row in identified if row[0] == "Forum")
    # 12 in the cité, 4 in the other: 4 is secret, so is 12 (the row total 16 would give 4 back)
    assert SECRET in forum
    assert 4 not in forum
