"""The CERFA 12156 budget catalogue: its structure, totals, balance, eligible costs and funders' names."""

import csv
from decimal import Decimal

from citemploi.calls import budget_lines
from citemploi.calls.budget_lines import Entry, normalise_funder, totals
from tests.conftest import shared_file


def test_the_catalogue_covers_the_cerfa_structure_of_the_grants_portal():
    """Every line of the portal's structure for accounts 60–68, 70–79, 86 and 87 (and the indirect charges and
    own resources) is in the catalogue, with the same codes; the corporate tax (69) and the forecast profit are
    left out of a project budget."""
    with shared_file("cerfa_budget_lines_from_dauphin.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    expected = {
        r["ligne_code"]: ("charges" if r["side"] == "charges" else "resources", r["poste_code"])
        for r in rows
        if r["poste_code"] != "69" and r["ligne_code"] != "excprev"
    }
    ours = {code: (budget_lines.side_of(code), line.post) for code, line in budget_lines.LINES.items()}
    assert ours == expected


def test_sides_and_special_posts():
    assert {p.code for p in budget_lines.POSTS if p.in_kind} == {"86", "87"}
    assert [p.code for p in budget_lines.POSTS if p.by_funder] == ["74"]
    assert budget_lines.side_of("74etat") == "resources" and budget_lines.side_of("864") == "charges"
    assert budget_lines.STATE_LINE in budget_lines.LINES
    assert not budget_lines.is_known("999")


def test_totals_balance_and_eligible_costs():
    t = totals(
        [
            Entry("641", Decimal("18000")),
            Entry("645", Decimal("7000")),
            Entry("864", Decimal("2000")),  # volunteers (charges in kind)
            Entry("74etat", Decimal("20000"), "80 – ETAT – POLITIQUE VILLE"),
            Entry("74dep", Decimal("5000"), "Département de la Somme"),
            Entry("870", Decimal("2000")),  # volunteering (resources in kind)
        ]
    )
    assert (t.charges, t.resources, t.balance) == (Decimal("27000"), Decimal("27000"), Decimal(0))
    assert t.balanced and t.direct_charges == Decimal("25000")
    assert (t.in_kind_charges, t.in_kind_resources) == (Decimal("2000"), Decimal("2000"))
    assert t.by_post["74"] == Decimal("25000") and t.by_post["60"] == 0
    short = totals([Entry("641", Decimal("100")), Entry("70x", Decimal("60"))])
    assert short.balance == Decimal("-40") and not short.balanced
    assert totals([]).balanced


def test_funder_names_are_compared_without_dashes_spaces_case_or_accents():
    reference = normalise_funder("80 – ETAT – POLITIQUE VILLE")
    for spelling in (
        "80-Etat-Politique ville",
        "80 - ÉTAT - POLITIQUE-VILLE",
        "  80 — etat — politique_ville ",
    ):
        assert normalise_funder(spelling) == reference, spelling
    assert normalise_funder("13-ETAT-POLITIQUE-VILLE") != reference
