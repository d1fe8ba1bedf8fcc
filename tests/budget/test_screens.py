import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from citemploi.budget import services
from citemploi.budget.models import Budget, Commitment
from tests.budget.test_budget import grant, make_budget
from tests.calls.factories import CallFactory
from tests.conftest import login_as
from tests.factories import ctx_for

D = Decimal


@pytest.fixture
def year():
    return timezone.localdate().year


def test_home_without_budget_offers_to_create_it(client, world, year):
    login_as(client, world.coordinator)
    response = client.get(reverse("budget:home"))
    assert f"Aucun budget n'est enregistré pour {year}" in response.content.decode()
    response = client.post(reverse("budget:create"), {"annee": year})
    assert response.status_code == 302
    assert Budget.objects.get(cite=world.cite).year == year


def test_home_shows_the_table_chart_and_exports(client, world, year):
    budget = make_budget(world, year)
    ctx = ctx_for(world.coordinator)
    services.add_commitment(ctx, budget=budget, label="Poste", category="coordination", amount=D("35000"))
    grant(world, CallFactory(cite=world.cite, year=year), "9000")
    login_as(client, world.steering)
    html = client.get(reverse("budget:home"), {"annee": year}).content.decode()
    assert "<caption>Budget" in html
    assert "<svg" in html and "<title" in html
    assert "35\u202f000,00 €" in html
    assert "9\u202f000,00 €" in html
    assert "Modifier l'enveloppe" not in html  # steering reads only
    response = client.get(reverse("budget:export", kwargs={"year": year, "fmt": "xlsx"}))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][0] == "Coordination de parcours" and rows[2][4] == 35000
    assert rows[3][3] == 9000
    assert rows[4][0] == "Total"
    csv = client.get(reverse("budget:export", kwargs={"year": year, "fmt": "csv"})).content.decode(
        "utf-8-sig"
    )
    assert csv.splitlines()[0].startswith("Catégorie;Prévu")


def test_home_query_count_is_pinned(client, world, year):
    budget = make_budget(world, year)
    ctx = ctx_for(world.coordinator)
    for i in range(3):
        services.add_commitment(ctx, budget=budget, label=f"Poste {i}", category="coordination", amount=D(10))
        services.add_cofunding(ctx, budget=budget, funder=f"Ville {i}", amount=D(10))
    call = CallFactory(cite=world.cite, year=year)
    grant(world, call, "100")
    grant(world, call, "200")
    login_as(client, world.coordinator)
    client.get(reverse("budget:home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("budget:home")).status_code == 200
    assert len(queries) <= 14, [q["sql"] for q in queries.captured_queries]
    grant(world, call, "300")
    services.add_commitment(ctx, budget=budget, label="Poste 9", category="animation", amount=D(10))
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("budget:home"))
    assert len(more) == len(queries)


def test_edit_with_french_decimal_and_stale_version(client, world, year):
    budget = make_budget(world, year)
    login_as(client, world.coordinator)
    url = reverse("budget:edit", kwargs={"year": year})
    data = {
        "version": budget.version,
        "state_envelope": "100000",
        "planned_animation": "30000,50",
        "planned_coordination": "40000",
        "planned_engineering": "29999,50",
        "calls_category": "engineering",
        "note": "",
    }
    assert client.post(url, data).status_code == 302
    assert Budget.objects.get(pk=budget.pk).planned_animation == D("30000.50")
    response = client.post(url, data | {"planned_animation": "1"})
    assert response.status_code == 200
    assert "modifiées entre-temps" in response.content.decode()
    response = client.post(url, data | {"version": budget.version + 1, "planned_animation": "-5"})
    html = response.content.decode()
    assert 'aria-describedby="id_planned_animation-messages"' in html


def test_commitment_and_payment_screens(client, world, year):
    budget = make_budget(world, year)
    login_as(client, world.coordinator)
    response = client.post(
        reverse("budget:commitment_add", kwargs={"year": year}),
        {"label": "Médiatrice", "category": "engineering", "amount": "40000", "starts_on": "", "ends_on": ""},
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get(budget=budget)
    # 40 000 engaged on engineering planned at 30 000: a warning follows.
    page = client.get(response["Location"]).content.decode()
    assert "au-delà du prévu" in page
    url = reverse("budget:payment_add", kwargs={"commitment_pk": commitment.pk})
    assert (
        client.post(url, {"amount": "1000", "paid_on": f"{year}-02-01", "reference": "M1"}).status_code == 302
    )
    response = client.post(url, {"amount": "39001", "paid_on": f"{year}-02-01", "reference": ""})
    assert "dépasseraient" in response.content.decode()
    html = client.get(
        reverse("budget:commitment_edit", kwargs={"commitment_pk": commitment.pk})
    ).content.decode()
    assert "M1" in html and "1\u202f000,00 €" in html


def test_other_cite_objects_are_not_found(client, world, year):
    other = services.create_budget(ctx_for(world.other_coordinator), year=year)
    commitment = services.add_commitment(
        ctx_for(world.other_coordinator), budget=other, label="X", category="animation", amount=D(1)
    )
    login_as(client, world.coordinator)
    assert (
        client.get(reverse("budget:commitment_edit", kwargs={"commitment_pk": commitment.pk})).status_code
        == 404
    )
    assert client.get(reverse("budget:edit", kwargs={"year": year})).status_code == 404
    assert client.get(reverse("budget:home"), {"annee": "abc"}).status_code == 200
    assert client.get(reverse("budget:home"), {"annee": date.today().year}).status_code == 200
