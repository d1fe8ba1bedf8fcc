"""The coordinator opens the cité dashboard, switches the period, opens a data table: accessible (axe-core),
no console error (CSP), everything served by the site itself."""

from datetime import date

import pytest
from playwright.sync_api import expect

from citemploi.people.enums import ReperageChannel
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import BeneficiaryFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_coordinator_dashboard_period_and_data_table(page, live_server, world):
    for day in (date(2026, 2, 1), date(2026, 2, 2), date(2026, 5, 1)):
        BeneficiaryFactory(
            cite=world.cite,
            responsible_structure=world.ft,
            identified_on=day,
            reperage_channel=ReperageChannel.FORUM,
        )
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/indicateurs/?periode=2026-T1")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Indicateurs de la cité")
    expect(page.get_by_role("img", name="Graphique en barres : Personnes repérées").first).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Période", exact=True).select_option("2026-T2")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**periode=2026-T2**")
    assert "2e trimestre 2026" in page.get_by_role("status").first.inner_text()

    button = page.get_by_role("button", name="Tableau de données : personnes repérées")
    button.click()
    table = page.get_by_role("table", name="Personnes repérées — 2e trimestre 2026 (personnes)")
    table.wait_for(state="visible")
    expect(table.get_by_role("link", name="1").first).to_be_visible()
    assert_accessible(page)
    assert problems == []
