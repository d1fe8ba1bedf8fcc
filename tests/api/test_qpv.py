"""QPV: list and read, scoped to the acting cité (every QPV for the national animation)."""

import pytest

from citemploi.core.policy import Role, is_allowed
from tests.factories import CommuneFactory, QPVFactory

ROLES = [r.value for r in Role]


@pytest.fixture
def qpvs(world):
    """Amiens has Amiens Nord and Etouvie; Le Mans has its own QPV (created by its factory)."""
    etouvie = QPVFactory(code="QN08001M", name="Etouvie")
    etouvie.communes.add(CommuneFactory(insee_code="80021", name="Amiens"))
    world.cite.qpvs.add(etouvie)
    other = QPVFactory(code="QN07201M", name="Les Sablons", department="072")
    world.other_cite.qpvs.add(other)
    return {"etouvie": etouvie, "other": other}


@pytest.mark.parametrize("role", ROLES)
def test_list_allowed_per_role_and_scoped_to_the_cite(world, api_as, qpvs, role):
    response = api_as(world.personas()[role]).get("/qpv")
    assert is_allowed(role, "qpv.view")
    assert response.status_code == 200
    codes = [q["code"] for q in response.json()["results"]]
    if role == "national":
        assert {"QN08001M", "QN08003M", "QN07201M"} <= set(codes)
    else:
        assert codes == ["QN08001M", "QN08003M"]


def test_list_filters_by_department_and_words(world, api_as, qpvs):
    client = api_as(world.national)
    by_department = client.get("/qpv", {"department": "072"}).json()["results"]
    assert [q["code"] for q in by_department] == ["QN07201M"]
    by_name = api_as(world.coordinator).get("/qpv", {"q": "etou"}).json()["results"]
    assert [q["name"] for q in by_name] == ["Etouvie"]
    by_code = api_as(world.coordinator).get("/qpv", {"q": "qn08003m"}).json()["results"]
    assert [q["name"] for q in by_code] == ["Amiens Nord"]


def test_read_by_code_with_communes(world, api_as, qpvs):
    response = api_as(world.referent_ft).get("/qpv/QN08001M")
    assert response.status_code == 200
    assert response.json()["communes"] == [{"insee_code": "80021", "name": "Amiens"}]
    assert api_as(world.referent_ft).get("/qpv/qn08001m").json()["name"] == "Etouvie"


def test_a_qpv_of_another_cite_or_unknown_is_not_found(world, api_as, qpvs):
    client = api_as(world.coordinator)
    assert client.get("/qpv/QN07201M").status_code == 404
    assert client.get("/qpv/QN00000X").status_code == 404
    assert api_as(world.national).get("/qpv/QN07201M").status_code == 200


@pytest.mark.parametrize("code", ["QN-08003", "Q" * 13, "%00"])
def test_a_malformed_code_is_refused(world, api_as, code):
    response = api_as(world.coordinator).get(f"/qpv/{code}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "code"]
