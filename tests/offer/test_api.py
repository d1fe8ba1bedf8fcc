"""The services resource of the REST API."""

import pytest

from citemploi.offer.models import Service
from tests.offer.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def test_list_filters_by_barrier_and_is_scoped_to_the_cite(world, api_as):
    ServiceFactory(structure=world.ft, driving_school=True)
    ServiceFactory(structure=world.asso, french_course=True)
    ServiceFactory(structure=world.other_structure, name="Service du Mans", themes=["mobilite"])
    response = api_as(world.steering).get("/services", {"barrier": "mobilite"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    result = body["results"][0]
    assert result["name"] == "Auto-école sociale" and result["barriers"] == ["mobilite"]
    assert result["capacity"] == 12 and result["waiting_list"] == 5 and result["stale"] is False
    everything = api_as(world.national).get("/services").json()
    assert everything["count"] == 3


def test_list_filters_by_theme_structure_step_and_staleness(world, api_as):
    ServiceFactory(structure=world.ft, themes=["famille--garde-denfants"], step="levee_freins", stale=True)
    ServiceFactory(structure=world.ml, themes=["famille"])
    client = api_as(world.coordinator)
    assert client.get("/services", {"theme": "famille--garde-denfants"}).json()["count"] == 2
    assert client.get("/services", {"structure_id": world.ml.pk}).json()["count"] == 1
    assert client.get("/services", {"step": "levee_freins"}).json()["count"] == 1
    assert client.get("/services", {"stale": "true"}).json()["count"] == 1
    bad = client.get("/services", {"barrier": "teleportation"})
    assert bad.status_code == 422


def test_read_a_service_or_404_out_of_reach(world, api_as):
    service = ServiceFactory(structure=world.ft, publics=["jeunes"], areas=["80021", ("france", "france")])
    body = api_as(world.reviewer).get(f"/services/{service.pk}").json()
    assert body["structure"] == {"id": world.ft.pk, "name": world.ft.name}
    assert body["publics"] == ["jeunes"] and sorted(body["areas"]) == ["80021", "france"]
    assert api_as(world.other_referent).get(f"/services/{service.pk}").status_code == 404


def test_referent_creates_a_service_for_their_structure(world, api_as):
    client = api_as(world.referent_ft)
    response = client.post(
        "/services",
        {
            "name": "Club emploi seniors",
            "description": "Des ateliers collectifs pour les plus de 50 ans.",
            "themes": ["trouver-un-emploi"],
            "publics": ["seniors"],
            "areas": ["80"],
            "capacity": 15,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["structure"]["id"] == world.ft.pk and body["barriers"] == ["reseau-professionnel"]
    assert body["version"] == 1 and body["source"] == "citemploi"
    other = client.post("/services", {"name": "Autre", "description": "x", "structure_id": world.ml.pk})
    assert other.status_code == 422
    assert other.json()["errors"][0]["loc"] == ["body", "structure_id"]


def test_coordinator_must_say_which_structure(world, api_as):
    response = api_as(world.coordinator).post("/services", {"name": "Atelier", "description": "Un atelier."})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "structure_id"]


@pytest.mark.parametrize(
    ("payload", "loc", "message"),
    [
        ({"themes": ["teleportation--apprendre"]}, ["body", "themes"], "Thématique inconnue"),
        ({"areas": ["Amiens"]}, ["body", "areas"], "Code géographique « Amiens » invalide"),
        ({"email": "pas-une-adresse"}, ["body", "email"], "adresse de courriel valide"),
        ({"opens_on": "2025-03-01", "valid_until": "2025-01-01"}, ["body", "valid_until"], "précède"),
        ({"capacity": -1}, ["body", "capacity"], "supérieur ou égal à 0"),
        ({"publics": ["martiens"]}, ["body", "publics", 0], "Valeur inconnue"),
    ],
)
def test_bad_input_gives_422_with_french_messages(world, api_as, payload, loc, message):
    body = {"name": "Atelier", "description": "Un atelier.", "structure_id": world.asso.pk} | payload
    response = api_as(world.coordinator).post("/services", body)
    assert response.status_code == 422, response.json()
    errors = response.json()["errors"]
    assert any(e["loc"] == loc and message in e["msg"] for e in errors), errors
    assert not Service.objects.exists()


def test_update_with_version_and_conflict(world, api_as):
    service = ServiceFactory(structure=world.ft, stale=True, themes=["mobilite"])
    client = api_as(world.partner_member_ft)
    response = client.patch(
        f"/services/{service.pk}", {"version": 1, "waiting_list": 7, "themes": ["famille"]}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["waiting_list"] == 7 and body["themes"] == ["famille"] and body["stale"] is False
    assert body["version"] == 2
    conflict = client.patch(f"/services/{service.pk}", {"version": 1, "waiting_list": 9})
    assert conflict.status_code == 409 and conflict.json()["current_version"] == 2
    assert api_as(world.referent_ml).patch(f"/services/{service.pk}", {"version": 2}).status_code == 404
    assert api_as(world.steering).patch(f"/services/{service.pk}", {"version": 2}).status_code == 403


def test_coordinator_clears_an_optional_choice_with_null(world, api_as):
    service = ServiceFactory(structure=world.ft, step="formation", fees="gratuit")
    response = api_as(world.coordinator).patch(
        f"/services/{service.pk}", {"version": 1, "step": None, "fees": None}
    )
    assert response.status_code == 200
    assert response.json()["step"] is None and response.json()["fees"] is None
    refused = api_as(world.coordinator).patch(f"/services/{service.pk}", {"version": 2, "name": None})
    assert refused.status_code == 422


def test_every_operation_declares_its_policy_action(client, db):
    operations = client.get("/api/v1/openapi.json").json()["paths"]
    assert operations["/api/v1/services"]["get"]["x-citemploi-action"] == "service.view"
    assert operations["/api/v1/services"]["post"]["x-citemploi-action"] == "service.create"
    assert operations["/api/v1/services/{service_id}"]["get"]["x-citemploi-action"] == "service.view"
    assert operations["/api/v1/services/{service_id}"]["patch"]["x-citemploi-action"] == "service.edit"
