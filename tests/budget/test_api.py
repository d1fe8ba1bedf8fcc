from decimal import Decimal

from django.test import Client
from django.utils import timezone

from citemploi.budget import services
from tests.api.conftest import ApiClient, make_token
from tests.budget.test_budget import make_budget
from tests.factories import ctx_for


def test_read_a_year(world):
    year = timezone.localdate().year
    budget = make_budget(world, year)
    services.add_commitment(
        ctx_for(world.coordinator),
        budget=budget,
        label="Poste",
        category="coordination",
        amount=Decimal("35000"),
    )
    api = ApiClient(Client(), make_token(world.steering))
    response = api.get(f"/budgets/{year}")
    assert response.status_code == 200
    body = response.json()
    assert body["resources"] == "100000.00"
    coordination = body["categories"][1]
    assert coordination["label"] == "Coordination de parcours"
    assert Decimal(coordination["committed"]) == Decimal("35000")
    assert Decimal(coordination["remaining"]) == Decimal("5000")
    assert body["commitments"][0]["label"] == "Poste"
    assert api.get(f"/budgets/{year - 1}").status_code == 404
    assert api.get("/budgets/1").status_code == 422
    other = ApiClient(Client(), make_token(world.other_coordinator))
    assert other.get(f"/budgets/{year}").status_code == 404
    assert ApiClient(Client(), make_token(world.referent_ft)).get(f"/budgets/{year}").status_code == 403
