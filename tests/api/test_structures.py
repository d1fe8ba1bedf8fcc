"""Structures: list, read, create, update, per role (citemploi.partners.services rules)."""

import pytest

from citemploi.core.models import AuditEvent
from citemploi.core.policy import Role, is_allowed
from citemploi.partners.models import Structure
from tests.factories import CommuneFactory

ROLES = [r.value for r in Role]


@pytest.mark.parametrize("role", ROLES)
def test_list_allowed_and_denied_per_role(world, api_as, role):
    response = api_as(world.personas()[role]).get("/structures")
    if is_allowed(role, "structure.view"):
        assert response.status_code == 200
        names = [s["name"] for s in response.json()["results"]]
        assert names == sorted(s.name for s in (world.ft, world.ml, world.asso, world.spip))
        assert world.other_structure.name not in names
    else:
        assert response.status_code == 403
        assert response.json()["detail"] == "Votre rôle ne permet pas cette action."


def test_list_filters_by_kind_and_name_and_paginates(world, api_as):
    client = api_as(world.referent_ft)
    by_kind = client.get("/structures", {"kind": "mission_locale"}).json()
    assert [s["id"] for s in by_kind["results"]] == [world.ml.pk]
    by_name = client.get("/structures", {"name": world.spip.name[:4].lower()}).json()
    assert [s["id"] for s in by_name["results"]] == [world.spip.pk]
    first = client.get("/structures", {"limit": 3}).json()
    assert (first["count"], len(first["results"]), first["next_offset"]) == (4, 3, 3)
    last = client.get("/structures", {"limit": 3, "offset": 3}).json()
    assert (len(last["results"]), last["next_offset"]) == (1, None)
    ids = [s["id"] for s in first["results"] + last["results"]]
    assert len(set(ids)) == 4


@pytest.mark.parametrize("role", ROLES)
def test_read_allowed_and_denied_per_role(world, api_as, role):
    response = api_as(world.personas()[role]).get(f"/structures/{world.ml.pk}")
    if is_allowed(role, "structure.view"):
        assert response.status_code == 200
        body = response.json()
        assert body["name"] == world.ml.name
        assert body["partnership"]["role"] == "other"
    else:
        assert response.status_code == 403


def test_a_structure_of_another_cite_is_not_found(world, api_as):
    assert api_as(world.coordinator).get(f"/structures/{world.other_structure.pk}").status_code == 404
    assert api_as(world.coordinator).get("/structures/987654").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_create_allowed_and_denied_per_role(world, api_as, role):
    response = api_as(world.personas()[role]).post(
        "/structures", {"name": "Régie de quartier", "kind": "siae"}
    )
    if is_allowed(role, "structure.create"):
        assert response.status_code == 201, response.json()
        assert Structure.objects.filter(name="Régie de quartier", partnerships__cite=world.cite).exists()
    else:
        assert response.status_code == 403
        assert not Structure.objects.filter(name="Régie de quartier").exists()


def test_create_with_partnership_qpv_and_commune_is_audited(world, api_as):
    commune = CommuneFactory(insee_code="80021", name="Amiens")
    world.cite.communes.add(commune)
    response = api_as(world.coordinator).post(
        "/structures",
        {
            "name": "SPIP de la Somme",
            "kind": "justice",
            "commune": "80021",
            "siret": "13000548100010",
            "partnership": {"role": "barriers", "cooperation_format": "coordination", "qpvs": ["qn08003m"]},
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sensitive"] is True  # justice structures are sensitive by default
    assert body["commune"] == {"insee_code": "80021", "name": "Amiens"}
    assert body["partnership"]["qpvs"] == ["QN08003M"]
    assert body["partnership"]["cooperation_format"] == "coordination"
    event = AuditEvent.objects.get(code="structure.create")
    assert (event.via, event.object_id) == ("api", str(body["id"]))


@pytest.mark.parametrize(
    ("payload", "loc", "message"),
    [
        ({"siret": "123"}, ["body", "siret"], "Le SIRET compte 14 chiffres."),
        ({"commune": "99999"}, ["body", "commune"], "Commune inconnue ou hors du périmètre de la cité."),
        (
            {"partnership": {"qpvs": ["QN99999Z"]}},
            ["body", "partnership", "qpvs"],
            "QPV inconnu(s) dans la cité : QN99999Z.",
        ),
        ({"email": "pas-une-adresse"}, ["body", "email"], "Saisissez une adresse de courriel valide."),
    ],
)
def test_create_refuses_bad_values_with_french_messages(world, api_as, payload, loc, message):
    response = api_as(world.coordinator).post("/structures", {"name": "Régie", "kind": "siae", **payload})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"loc": loc, "msg": message} in [{"loc": e["loc"], "msg": e["msg"]} for e in errors], errors
    assert not Structure.objects.filter(name="Régie").exists()


@pytest.mark.parametrize("role", ROLES)
def test_update_allowed_and_denied_per_role(world, api_as, role):
    """Coordinators edit the cité's structures; référents and partner members their own (France Travail)."""
    response = api_as(world.personas()[role]).patch(
        f"/structures/{world.ft.pk}", {"phone": "03 22 00 00 00", "version": world.ft.version}
    )
    world.ft.refresh_from_db()
    if is_allowed(role, "structure.edit"):
        assert response.status_code == 200, response.json()
        assert response.json()["version"] == 2
        assert world.ft.phone == "03 22 00 00 00"
    else:
        assert response.status_code == 403
        assert world.ft.phone == ""


def test_a_referent_cannot_update_another_structure_nor_the_partnership(world, api_as):
    client = api_as(world.referent_ft)
    assert client.patch(f"/structures/{world.ml.pk}", {"phone": "1", "version": 1}).status_code == 404
    response = client.patch(f"/structures/{world.ft.pk}", {"partnership": {"role": "spe"}, "version": 1})
    assert response.status_code == 403
    assert "partenariat" in response.json()["detail"]


def test_the_coordinator_updates_the_partnership(world, api_as):
    response = api_as(world.coordinator).patch(
        f"/structures/{world.ml.pk}", {"partnership": {"role": "spe", "qpvs": ["QN08003M"]}, "version": 1}
    )
    assert response.status_code == 200
    assert response.json()["partnership"]["role"] == "spe"
    assert response.json()["partnership"]["qpvs"] == ["QN08003M"]


def test_a_stale_update_is_refused_with_409(world, api_as):
    client = api_as(world.coordinator)
    assert client.patch(f"/structures/{world.ml.pk}", {"phone": "1", "version": 1}).status_code == 200
    response = client.patch(f"/structures/{world.ml.pk}", {"phone": "2", "version": 1})
    assert response.status_code == 409
    assert "modifiée entre-temps" in response.json()["detail"]
    world.ml.refresh_from_db()
    assert (world.ml.phone, world.ml.version) == ("1", 2)


def test_update_needs_the_version(world, api_as):
    response = api_as(world.coordinator).patch(f"/structures/{world.ml.pk}", {"phone": "1"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["body", "version"], "msg": "Champ obligatoire.", "type": "missing"}
    ]
