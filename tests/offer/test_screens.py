"""The management screens of the offer, per role."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citemploi.offer.models import EmptySearch, Service
from tests.conftest import login_as
from tests.offer.di_files import service, structure
from tests.offer.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def test_list_is_scoped_to_the_cite_and_filtered_by_barrier(client, world):
    ServiceFactory(structure=world.ft, driving_school=True)
    ServiceFactory(structure=world.asso, french_course=True)
    ServiceFactory(structure=world.other_structure, name="Service du Mans")
    login_as(client, world.steering)
    body = client.get("/offre/").content.decode()
    assert "Auto-école sociale" in body and "Atelier de français" in body and "Service du Mans" not in body
    filtered = client.get("/offre/", {"frein": "langue-francaise"}).content.decode()
    assert "Atelier de français" in filtered and "Auto-école sociale" not in filtered
    assert (
        client.get("/offre/", {"frein": "mobilite", "a_actualiser": "oui"}).context["page"].paginator.count
        == 0
    )


def test_national_sees_every_cites_services(client, world):
    ServiceFactory(structure=world.ft, name="Service Amiens")
    ServiceFactory(structure=world.other_structure, name="Service du Mans")
    login_as(client, world.national)
    body = client.get("/offre/").content.decode()
    assert "Service Amiens" in body and "Service du Mans" in body
    assert "Ajouter un service" not in body


def test_htmx_partial_equals_the_full_page_fragment(client, world):
    for i in range(3):
        ServiceFactory(structure=world.ft, name=f"Permis {i}", themes=["mobilite"])
    login_as(client, world.coordinator)
    full = client.get("/offre/?frein=mobilite").content.decode()
    partial = client.get("/offre/?frein=mobilite", headers={"HX-Request": "true"}).content.decode().strip()
    assert partial.startswith('<div id="resultats">')
    assert partial in full


def test_list_detail_and_export_query_counts_are_pinned(client, world):
    for i in range(30):
        ServiceFactory(
            structure=world.ft if i % 2 else world.asso, themes=["mobilite", "famille"], publics=["jeunes"]
        )
    login_as(client, world.coordinator)
    client.get("/offre/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/offre/").status_code == 200
    # session + user + membership + vocabulary + structures filter + count + page + themes/publics/areas
    assert len(ctx.captured_queries) <= 10, [q["sql"] for q in ctx.captured_queries]
    one = ServiceFactory(structure=world.ft, themes=["mobilite"], publics=["jeunes"], areas=["80021"])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/offre/{one.pk}/").status_code == 200
    # session + user + membership + service + themes + publics + areas + vocabulary + can edit
    assert len(ctx.captured_queries) <= 9, [q["sql"] for q in ctx.captured_queries]
    with CaptureQueriesContext(connection) as ctx:
        assert len(json.loads(client.get("/offre/export/services.json").content)) == 31
    # the same for 31 services as for one: no query per service
    assert len(ctx.captured_queries) <= 9, [q["sql"] for q in ctx.captured_queries]


def test_detail_shows_the_barriers_lifted_and_how_to_mobilise(client, world):
    s = ServiceFactory(structure=world.asso, french_course=True, prescribers="Référent·es RSA", capacity=10)
    login_as(client, world.commission_member)
    body = client.get(f"/offre/{s.pk}/").content.decode()
    assert "2. Savoirs de base" in body and "9. Langue française" in body
    assert "Référent·es RSA" in body and "10 places" in body
    assert "Modifier" not in body
    login_as(client, world.other_coordinator)
    assert client.get(f"/offre/{s.pk}/").status_code == 404


def test_coordinator_creates_a_service(client, world):
    login_as(client, world.coordinator)
    form = client.get("/offre/nouveau/")
    assert "Mobilité (toute la thématique)" in form.content.decode()
    response = client.post(
        "/offre/nouveau/",
        {
            "structure": world.asso.pk,
            "name": "Garde d'enfants en horaires décalés",
            "description": "Des assistantes maternelles disponibles tôt le matin et tard le soir.",
            "nature": "specifique",
            "step": "levee_freins",
            "themes": ["famille"],
            "publics": ["familles", "residents-qpv-frr"],
            "areas": "80021, 80",
            "mobilisable_par": ["professionnels"],
            "modes_mobilisation": ["telephoner"],
            "phone": "03 22 00 00 00",
            "capacity": "6",
            "waiting_list": "2",
            "published": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    created = Service.objects.get(name="Garde d'enfants en horaires décalés")
    assert created.structure == world.asso and created.capacity == 6
    assert sorted(a.code for a in created.areas.all()) == ["80", "80021"]
    assert response["Location"] == f"/offre/{created.pk}/"


def test_bad_area_codes_come_back_on_the_form(client, world):
    login_as(client, world.coordinator)
    response = client.post(
        "/offre/nouveau/",
        {
            "structure": world.asso.pk,
            "name": "Atelier",
            "description": "Un atelier.",
            "nature": "droit_commun",
            "areas": "Amiens",
        },
    )
    assert response.status_code == 200
    assert "Code géographique « Amiens » invalide" in response.content.decode()
    assert not Service.objects.exists()


def test_referent_edits_only_their_own_structures_services(client, world):
    own = ServiceFactory(structure=world.ft, name="Atelier CV")
    other = ServiceFactory(structure=world.ml, name="Garantie jeunes")
    login_as(client, world.referent_ft)
    page = client.get(f"/offre/{own.pk}/modifier/").content.decode()
    assert 'name="structure"' not in page  # their structure: nothing to choose
    response = client.post(
        f"/offre/{own.pk}/modifier/",
        {
            "name": "Atelier CV et lettre",
            "description": own.description,
            "nature": "droit_commun",
            "version": "1",
        },
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "Atelier CV et lettre" and own.version == 2
    assert client.get(f"/offre/{other.pk}/modifier/").status_code == 404
    assert client.post(f"/offre/{other.pk}/a-jour/").status_code == 404


def test_a_stale_edit_is_refused_on_the_form(client, world):
    s = ServiceFactory(structure=world.ft)
    login_as(client, world.coordinator)
    data = {
        "structure": world.ft.pk,
        "name": "Nom 1",
        "description": "Description.",
        "nature": "droit_commun",
        "version": "1",
    }
    assert client.post(f"/offre/{s.pk}/modifier/", data).status_code == 302
    again = client.post(f"/offre/{s.pk}/modifier/", data | {"name": "Nom 2"})
    assert again.status_code == 200 and "modifié entre-temps" in again.content.decode()


def test_coordinator_sees_the_stale_services_and_confirms_one(client, world):
    old = ServiceFactory(structure=world.ft, name="Club emploi", stale=True)
    ServiceFactory(structure=world.ft, name="Service récent")
    ServiceFactory(structure=world.other_structure, name="Vieux service du Mans", stale=True)
    login_as(client, world.coordinator)
    body = client.get("/offre/a-actualiser/").content.decode()
    assert "Club emploi" in body and "Service récent" not in body and "Vieux service du Mans" not in body
    response = client.post(f"/offre/{old.pk}/a-jour/", {"next": "/offre/a-actualiser/"})
    assert response["Location"] == "/offre/a-actualiser/"
    assert client.get("/offre/a-actualiser/").context["page"].paginator.count == 0
    evil = client.post(f"/offre/{old.pk}/a-jour/", {"next": "https://evil.example.org/"})
    assert evil["Location"] == f"/offre/{old.pk}/"


def test_the_barriers_page_counts_services_per_barrier(client, world):
    ServiceFactory(structure=world.ft, driving_school=True)
    login_as(client, world.reviewer)
    body = client.get("/offre/freins/").content.decode()
    assert "5. Mobilité" in body and 'aria-label="1 service : Mobilité"' in body
    assert "sensible pour une personne" in body


def _upload(client, services_records, structures_records=None, **extra):
    data = {"services_file": SimpleUploadedFile("services.json", json.dumps(services_records).encode())}
    if structures_records is not None:
        data["structures_file"] = SimpleUploadedFile(
            "structures.json", json.dumps(structures_records).encode()
        )
    return client.post("/offre/import/", data | extra)


def test_import_screen_previews_then_imports(client, world):
    login_as(client, world.coordinator)
    response = _upload(client, [service()], [structure()])
    assert response.status_code == 302 and "/offre/import/verification/?jeton=" in response["Location"]
    preview = client.get(response["Location"])
    body = preview.content.decode()
    assert "1 à créer" in body and "Régie de quartier Amiens Nord (nouvelle)" in body
    assert not Service.objects.exists()
    token = response["Location"].split("jeton=")[1]
    done = client.post("/offre/import/verification/", {"jeton": token})
    assert done["Location"] == "/offre/"
    assert Service.objects.get().name == "Garage solidaire"
    # The upload is gone once imported.
    assert client.get(response["Location"]).status_code == 404


def test_import_screen_reports_errors_line_by_line_and_offers_the_report(client, world):
    login_as(client, world.coordinator)
    response = _upload(client, [service(), service("dora--2", publics=["martiens"])], [structure()])
    preview = client.get(response["Location"])
    body = preview.content.decode()
    assert "rien ne sera importé" in body and "martiens" in body and "public inconnu" in body
    assert ">Importer</button>" not in body
    token = response["Location"].split("jeton=")[1]
    report = client.get(f"/offre/import/rapport.csv?jeton={token}")
    assert "services;2;dora--2;publics;martiens;public inconnu;erreur" in report.content.decode("utf-8-sig")
    refused = client.post("/offre/import/verification/", {"jeton": token})
    assert refused.status_code == 200 and not Service.objects.exists()


def test_an_upload_belongs_to_whoever_sent_it(client, world):
    login_as(client, world.coordinator)
    location = _upload(client, [service()], [structure()])["Location"]
    login_as(client, world.referent_ft)
    assert client.get(location).status_code == 404


def test_a_file_of_another_format_is_refused_on_upload(client, world):
    login_as(client, world.referent_ft)
    response = client.post("/offre/import/", {"services_file": SimpleUploadedFile("services.xlsx", b"PK")})
    assert response.status_code == 200 and "un fichier .json ou .csv est attendu" in response.content.decode()


def test_member_imports_for_their_own_structure(client, world):
    login_as(client, world.partner_member_ft)
    page = client.get("/offre/import/").content.decode()
    assert 'name="structure"' not in page and world.ft.name in page
    location = _upload(client, [service()])["Location"]
    token = location.split("jeton=")[1]
    client.post("/offre/import/verification/", {"jeton": token})
    assert Service.objects.get().structure == world.ft


def test_export_follows_the_list_filters(client, world):
    ServiceFactory(structure=world.ft, driving_school=True, last_updated_on=date(2025, 1, 2))
    ServiceFactory(structure=world.asso, childcare=True)
    login_as(client, world.holder)
    response = client.get("/offre/export/services.json", {"frein": "mobilite"})
    assert response["Content-Type"].startswith("application/json")
    records = json.loads(response.content)
    assert [r["nom"] for r in records] == ["Auto-école sociale"]
    assert records[0]["structure_id"] == f"citemploi--structure-{world.ft.pk}"
    structures = client.get("/offre/export/structures.csv").content.decode("utf-8-sig")
    assert world.ft.name in structures and world.asso.name in structures
    assert client.get("/offre/export/services.xml").status_code == 404


def test_unmet_needs_are_listed_for_coordinators_and_steering(client, world):
    EmptySearch.objects.create(
        searched_on=date(2025, 5, 2), barrier="logement", qpv_code="QN08003M", cite=world.cite, count=3
    )
    EmptySearch.objects.create(
        searched_on=date(2025, 5, 3), barrier="logement", qpv_code="QN08003M", cite=world.cite
    )
    EmptySearch.objects.create(
        searched_on=date(2025, 5, 3), barrier="mobilite", cite=world.other_cite, count=7
    )
    login_as(client, world.steering)
    response = client.get("/offre/besoins-non-couverts/")
    rows = response.context["rows"]
    assert [(r["barrier"], r["total"]) for r in rows] == [("logement", 4)]
    assert "Quartier Amiens Nord" in response.content.decode()
    login_as(client, world.national)
    assert client.get("/offre/besoins-non-couverts/").context["total"] == 11
    login_as(client, world.referent_ft)
    assert client.get("/offre/besoins-non-couverts/").status_code == 403
