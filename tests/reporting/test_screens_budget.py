"""The budget block of the cité dashboard: the year the period ends, read from the budget app."""

from decimal import Decimal

import pytest
from django.urls import reverse

from citemploi.budget import services as budget_services
from tests.budget.test_budget import grant, make_budget
from tests.calls.factories import CallFactory
from tests.conftest import login_as
from tests.factories import ctx_for

pytestmark = pytest.mark.django_db

NBSP = "\u202f"


@pytest.fixture
def budget_2026(world):
    """Planned 30,000 / 40,000 / 30,000; a 35,000 € post (coordination, 5,000 paid); a 9,000 € AAP grant
    (ingénierie); a 20,000 € cofunding."""
    ctx = ctx_for(world.coordinator)
    budget = make_budget(world, 2026)
    post = budget_services.add_commitment(
        ctx, budget=budget, label="Poste de coordinatrice", category="coordination", amount=Decimal(35000)
    )
    budget_services.add_payment(ctx, commitment=post, amount=Decimal(5000), paid_on=budget.created_at.date())
    budget_services.add_cofunding(ctx, budget=budget, funder="Ville", amount=Decimal(20000))
    grant(world, CallFactory(cite=world.cite, year=2026), "9000")
    return budget


def test_coordinator_sees_the_year_budget_with_its_table_chart_and_link(client, world, budget_2026):
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:home"), {"periode": "2026-T1"})
    block = response.context["budget"]
    assert block.year == 2026
    assert block.summary.committed == Decimal(44000)
    assert block.summary.paid == Decimal(5000)
    assert block.summary.remaining == Decimal(56000)
    assert block.calls_committed == Decimal(9000)
    assert (block.grants, block.typed_commitments) == (1, 1)
    html = response.content.decode()
    section = html[html.index('<h2 id="budget">') :]
    assert f"Ressources : 120{NBSP}000,00 €" in section
    assert f"Engagé : 44{NBSP}000,00 € — 1 subvention d'appels à projets, 1 autre engagement" in section
    assert f"reste à engager : 56{NBSP}000,00 €" in section
    assert "<caption>Budget 2026 par catégorie" in section
    assert 'role="img"' in section
    assert 'href="/budget/?annee=2026"' in section
    # the htmx partial carries the block too (a period change refreshes it)
    partial = client.get(reverse("reporting:home"), {"periode": "2026-T1"}, HTTP_HX_REQUEST="true")
    assert '<h2 id="budget">Budget 2026</h2>' in partial.content.decode()


def test_steering_reads_the_budget_exactly(client, world, budget_2026):
    login_as(client, world.steering)
    response = client.get(reverse("reporting:home"), {"periode": "2026-T1"})
    assert response.context["protected"]
    assert response.context["budget"].summary.committed == Decimal(44000)
    assert 'href="/budget/?annee=2026"' in response.content.decode()


def test_the_block_reads_the_year_the_period_ends(client, world, budget_2026):
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:home"), {"debut": "2025-10-01", "fin": "2026-03-31"})
    assert response.context["budget"].year == 2026
    response = client.get(reverse("reporting:home"), {"periode": "2025"})
    assert response.context["budget"].summary is None
    assert "Aucun budget n'est saisi pour 2025." in response.content.decode()


def test_no_budget_block_on_the_qpv_structure_cohort_and_national_pages(client, world, budget_2026):
    login_as(client, world.coordinator)
    for url in (
        reverse("reporting:qpv", args=[world.qpv.code]),
        reverse("reporting:structure", args=[world.ft.pk]),
    ):
        response = client.get(url, {"periode": "2026-T1"})
        assert response.context["budget"] is None
        assert 'id="budget"' not in response.content.decode()
    login_as(client, world.national)
    response = client.get(reverse("reporting:national"), {"periode": "2026-T1"})
    assert response.context["budget"] is None
