"""The steering member opens the cité dashboard: the budget block is accessible (axe-core), its data table
opens, and the Copil report of the period downloads as a PDF."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from citemploi.budget import services as budget_services
from tests.browser.conftest import assert_accessible, sign_in
from tests.budget.test_budget import make_budget
from tests.factories import ctx_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_steering_reads_the_budget_block_and_downloads_the_copil_report(page, live_server, world):
    budget = make_budget(world, 2026)
    budget_services.add_commitment(
        ctx_for(world.coordinator),
        budget=budget,
        label="Poste de coordinatrice",
        category="coordination",
        amount=Decimal(35000),
    )
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, world.steering)
    page.goto(f"{live_server.url}/indicateurs/?periode=2026-T1")
    expect(page.get_by_role("heading", name="Budget 2026")).to_be_visible()
    expect(page.get_by_role("img", name="Budget 2026 par catégorie").first).to_be_attached()
    page.get_by_role("button", name="Tableau de données : budget par catégorie").click()
    table = page.get_by_role("table", name="Budget 2026 par catégorie")
    table.wait_for(state="visible")
    expect(table.get_by_role("row", name="Coordination de parcours")).to_contain_text("35")
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Rapport pour le comité de pilotage").click()
    download = info.value
    assert download.suggested_filename.endswith("-2026-T1.pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert problems == []
