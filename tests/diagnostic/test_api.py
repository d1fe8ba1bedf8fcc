from django.test import Client

from citemploi.diagnostic.models import QPVReference
from tests.api.conftest import ApiClient, make_token
from tests.diagnostic.helpers import small_data_set


def test_read_the_diagnostic_of_a_qpv(world):
    small_data_set(world)
    QPVReference.objects.create(qpv=world.qpv, year=2023, population=12000)
    body = ApiClient(Client(), make_token(world.coordinator)).get(f"/diagnostic/{world.qpv.code}").json()
    mobility = next(r for r in body["rows"] if r["barrier"] == "mobilite")
    assert mobility["demand"] == 2 and mobility["supply"] == 1
    assert body["references"][0]["population"] == 12000
    assert not body["protected"]
    steering = ApiClient(Client(), make_token(world.steering))
    protected = steering.get(f"/diagnostic/{world.qpv.code}").json()
    assert protected["protected"] and protected["demand_total"] is None
    assert next(r for r in protected["rows"] if r["barrier"] == "mobilite")["demand"] is None
    assert steering.get("/diagnostic/QN00000X").status_code == 404
    assert steering.get("/diagnostic/QN%00X").status_code == 422
    assert (
        ApiClient(Client(), make_token(world.referent_ft)).get(f"/diagnostic/{world.qpv.code}").status_code
        == 403
    )
