"""The budget and diagnostic pages in Chromium: accessible (axe-core), the chart drawn without any script or
style blocked by the Content Security Policy, and a budget edit from the form."""

from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from citemploi.budget import services
from citemploi.budget.models import Budget
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import ctx_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def test_coordinator_allocates_the_budget_and_reads_the_chart(page, live_server, world):
    year = timezone.localdate().year
    ctx = ctx_for(world.coordinator)
    budget = services.create_budget(ctx, year=year)
    services.add_commitment(
        ctx,
        budget=budget,
        label="Coordinatrice de parcours",
        category="coordination",
        amount=Decimal("38000"),
    )
    errors = _console_errors(page)
    sign_in(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/budget/?annee={year}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Budget de la cité — {year}"
    assert page.locator("svg[role=img]").count() == 1
    assert_accessible(page)
    page.get_by_role("link", name="Modifier l'enveloppe et la répartition").click()
    page.get_by_label("Prévu — animation territoriale (€)").fill("30000")
    page.get_by_label("Prévu — coordination de parcours (€)").fill("35000,50")
    page.get_by_label("Prévu — ingénierie dédiée (€)").fill("34999,50")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state("networkidle")
    # 38 000 committed on coordination planned at 35 000,50: a warning.
    assert "au-delà du prévu" in page.content()
    assert Budget.objects.get(pk=budget.pk).planned_coordination == Decimal("35000.50")
    assert_accessible(page)
    assert errors == []


def test_the_diagnostic_page_is_accessible(page, live_server, world):
    from tests.diagnostic.helpers import small_data_set

    small_data_set(world)
    errors = _console_errors(page)
    sign_in(page, live_server, world.steering)
    page.goto(f"{live_server.url}/diagnostic/")
    assert page.get_by_role("heading", level=1).inner_text() == "Diagnostic partagé"
    expect(page.get_by_role("table", name="Besoins et offre par frein — Amiens Nord")).to_be_visible()
    assert_accessible(page)
    assert errors == []
