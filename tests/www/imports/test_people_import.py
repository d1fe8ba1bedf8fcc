"""The import screens: upload → column mapping → preview → import, and who may use a pending upload."""

import csv
import io
import os
import re
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from citemploi.core.models import AuditEvent
from citemploi.people.importing.uploads import delete_upload, upload_dir, upload_path
from citemploi.people.models import Beneficiary
from citemploi.www.imports.views import SESSION_KEY
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory, member
from tests.people.import_files import HEADER, csv_file, people, person, xlsx_file

pytestmark = pytest.mark.django_db

UPLOAD = reverse("imports:people")
MAPPING = reverse("imports:people_mapping")
PREVIEW = reverse("imports:people_preview")
REPORT = reverse("imports:people_report")


def upload(client, data: bytes, name: str = "liste.csv", **fields):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data), **fields})


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:3000]
    match = re.search(r"jeton=([A-Za-z0-9_-]+)", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def detected_mapping(client, token: str) -> dict[str, str]:
    """The values the mapping form is pre-filled with."""
    page = client.get(MAPPING, {"jeton": token}).content.decode()
    mapping = {}
    for name, body in re.findall(r'<select name="(col_\d+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)" selected>', body)
        mapping[name] = selected.group(1) if selected else ""
    return mapping


def test_full_flow_upload_mapping_preview_with_errors_fix_and_import(client, login, world):
    login(world.coordinator)
    page = client.get(UPLOAD)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'accept=".csv,.xlsx"' in html and 'enctype="multipart/form-data"' in html
    assert '<label class="fr-label" for="id_structure">' in html and world.ml.name in html

    # 1. Upload a file with a bad line.
    rows = people(3)
    rows[1] = person(1, **{"Date de naissance": "31/02/1990"})
    response = upload(client, csv_file(rows), structure=world.ml.pk)
    token = token_of(response)
    assert response["Location"] == f"{MAPPING}?jeton={token}"
    assert upload_path(token) is not None

    # 2. The mapping is pre-filled by the detection, with a sample of each column.
    page = client.get(MAPPING, {"jeton": token})
    html = page.content.decode()
    assert "Colonne « Nom »" in html and "Exemples : Martin-0 ; Martin-1 ; Martin-2" in html
    mapping = detected_mapping(client, token)
    assert mapping == {
        "col_0": "last_name",
        "col_1": "first_name",
        "col_2": "birth_date",
        "col_3": "gender",
        "col_4": "email",
        "col_5": "qpv",
        "col_6": "ft_registered",
    }
    response = client.post(MAPPING, {"jeton": token, **mapping})
    assert response.status_code == 302 and response["Location"] == f"{PREVIEW}?jeton={token}"

    # 3. The preview shows the report and offers no import.
    page = client.get(PREVIEW, {"jeton": token})
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 ligne en erreur : rien ne sera importé" in html
    assert '<th scope="row">3</th>' in html and "Cette date n&#x27;existe pas." in html
    assert "<caption>" in html and '<th scope="col">Message</th>' in html
    assert (
        "Importer 2 personnes" not in html and 'name="jeton"' not in html.split("Rapport ligne par ligne")[0]
    )
    report = client.get(REPORT, {"jeton": token})
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig")), delimiter=";"))
    assert lines == [
        ["Ligne", "Colonne", "Valeur", "Message"],
        ["3", "Date de naissance", "31/02/1990", "Cette date n'existe pas."],
    ]
    # Importing anyway (a forged POST) writes nothing.
    response = client.post(PREVIEW, {"jeton": token})
    assert response.status_code == 200 and "rien n&#x27;a été importé" in response.content.decode()
    assert Beneficiary.objects.count() == 0

    # 4. Fix the file and upload it again.
    fixed = upload(client, csv_file(people(3)), structure=world.ml.pk)
    new_token = token_of(fixed)
    client.post(MAPPING, {"jeton": new_token, **detected_mapping(client, new_token)})
    html = client.get(PREVIEW, {"jeton": new_token}).content.decode()
    assert "Le fichier est prêt à être importé" in html and "Importer 3 personnes" in html
    assert "Aperçu des 3 premières lignes" in html and "Amiens Nord (QN08003M)" in html

    # 5. Import.
    response = client.post(PREVIEW, {"jeton": new_token})
    assert response.status_code == 302 and response["Location"] == reverse("imports:people_done")
    done = client.get(response["Location"]).content.decode()
    assert "3 personnes importées" in done and world.ml.name in done
    assert f'href="{reverse("people:list")}"' in done
    assert Beneficiary.objects.filter(cite=world.cite, responsible_structure=world.ml).count() == 3
    assert AuditEvent.objects.get(code="beneficiary.import").changes["file"] == "liste.csv"
    # The file is gone and its token cannot be used again.
    assert upload_path(new_token) is None
    assert client.post(PREVIEW, {"jeton": new_token}).status_code == 404
    assert Beneficiary.objects.count() == 3


def test_another_user_cannot_use_the_token(client, login, world):
    login(world.referent_ft)
    token = token_of(upload(client, csv_file(people(2))))
    other = login_as(Client(), world.coordinator)
    for url in (MAPPING, PREVIEW, REPORT):
        assert other.get(url, {"jeton": token}).status_code == 404
    assert other.post(PREVIEW, {"jeton": token}).status_code == 404
    # Even a colleague of the same structure.
    colleague = login_as(Client(), member(world.cite, "referent", world.ft))
    assert colleague.get(PREVIEW, {"jeton": token}).status_code == 404
    assert Beneficiary.objects.count() == 0


def test_switching_to_another_role_or_cite_invalidates_the_pending_upload(client, login, world):
    login(world.referent_ft)
    token = token_of(upload(client, csv_file(people(2))))
    coordinator_role = member(world.cite, "coordinator", user=world.referent_ft.user)
    login(coordinator_role)
    assert client.get(PREVIEW, {"jeton": token}).status_code == 404


def test_without_or_with_an_unknown_token(client, login, world):
    login(world.referent_ft)
    response = client.get(PREVIEW)
    assert response.status_code == 302 and response["Location"] == UPLOAD
    assert client.get(MAPPING, {"jeton": "x" * 32}).status_code == 404
    assert client.get(MAPPING, {"jeton": "../../etc/passwd"}).status_code == 404


def test_expired_upload_is_gone(client, login, world):
    login(world.referent_ft)
    token = token_of(upload(client, csv_file(people(1))))
    path = upload_path(token)
    old = time.time() - 25 * 3600
    os.utime(path, (old, old))
    assert client.get(MAPPING, {"jeton": token}).status_code == 404
    assert not path.exists()
    assert token not in client.session[SESSION_KEY]


def test_abandoned_uploads_are_dropped_from_the_session_at_the_next_upload(client, login, world):
    login(world.referent_ft)
    first = token_of(upload(client, csv_file(people(1))))
    delete_upload(first)  # as the purge would
    second = token_of(upload(client, csv_file(people(1))))
    assert list(client.session[SESSION_KEY]) == [second]


def test_referent_imports_for_their_structure_without_choosing_it(client, login, world):
    login(world.referent_ft)
    html = client.get(UPLOAD).content.decode()
    assert 'id="id_structure"' not in html and world.ft.name in html
    token = token_of(upload(client, xlsx_file(people(2)), "liste.xlsx"))
    client.post(MAPPING, {"jeton": token, **detected_mapping(client, token)})
    response = client.post(PREVIEW, {"jeton": token})
    assert response.status_code == 302
    assert set(Beneficiary.objects.values_list("responsible_structure", "referent")) == {
        (world.ft.pk, world.referent_ft.user.pk)
    }


def test_skip_existing_option(client, login, world):
    first = person(0)
    BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ml,
        last_name=first[0],
        first_name=first[1],
        birth_date=date(1980, 1, 1),
    )
    login(world.referent_ft)
    token = token_of(upload(client, csv_file(people(3)), skip_existing="on"))
    client.post(MAPPING, {"jeton": token, **detected_mapping(client, token)})
    html = client.get(PREVIEW, {"jeton": token}).content.decode()
    assert "1 déjà présente, ignorée" in html and "Importer 2 personnes" in html
    assert "Déjà présent(e) dans la cité : ligne ignorée." in html
    client.post(PREVIEW, {"jeton": token})
    done = client.get(reverse("imports:people_done")).content.decode()
    assert "2 personnes importées" in done and "1 personne déjà présente dans la cité" in done


def test_steering_member_cannot_import(client, login, world):
    login(world.steering)
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, csv_file(people(1))).status_code == 403
    assert not upload_dir().exists() or list(upload_dir().iterdir()) == []


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("liste.pdf", b"%PDF", "choisissez un fichier .csv ou .xlsx"),
        ("liste.xls", b"\xd0\xcf\x11\xe0", "Le format .xls n&#x27;est pas pris en charge"),
        ("liste.xlsx", b"Nom;Prenom\n", "n&#x27;est pas un classeur Excel (.xlsx) valide"),
        ("liste.csv", b"PK\x03\x04", "renommez-le en .xlsx"),
    ],
)
def test_unusable_files_are_refused_at_upload_with_the_error_linked_to_the_field(
    client, login, world, name, data, message
):
    login(world.referent_ft)
    response = upload(client, data, name)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert 'aria-describedby="id_file-messages"' in html and 'id="id_file-messages"' in html
    assert list(upload_dir().iterdir()) == []  # nothing kept


def test_oversize_upload_is_refused(client, login, world, settings):
    settings.IMPORT_MAX_BYTES = 1000
    login(world.referent_ft)
    html = upload(client, csv_file(people(40))).content.decode()
    assert "Le fichier est trop volumineux" in html


def test_coordinator_must_choose_a_structure(client, login, world):
    login(world.coordinator)
    html = upload(client, csv_file(people(1))).content.decode()
    assert "Choisissez la structure référente des personnes importées." in html
    assert 'aria-describedby="id_structure-messages"' in html
    html = upload(client, csv_file(people(1)), structure=world.other_structure.pk).content.decode()
    assert "Sélectionnez un choix valide" in html


def test_mapping_errors_are_shown_on_the_selects(client, login, world):
    login(world.referent_ft)
    token = token_of(upload(client, csv_file(people(1))))
    mapping = detected_mapping(client, token) | {"col_3": "last_name", "col_2": ""}
    response = client.post(MAPPING, {"jeton": token, **mapping})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le champ « Nom » est déjà choisi pour la colonne « Nom »." in html
    assert 'aria-describedby="id_col_3-messages"' in html
    assert "Choisissez une colonne pour chaque champ obligatoire : Date de naissance." in html
    for index in range(len(HEADER)):
        assert f'<label class="fr-label" for="id_col_{index}">' in html


def test_explicit_mapping_changes_what_is_imported(client, login, world):
    login(world.referent_ft)
    header = ["Identité", "Prénom", "Né(e) le", "Remarques"]
    token = token_of(
        upload(client, csv_file([["Dupont", "Jean", "01/02/1990", "12 rue Verte"]], header=header))
    )
    mapping = detected_mapping(client, token)
    assert mapping == {"col_0": "", "col_1": "first_name", "col_2": "birth_date", "col_3": ""}
    client.post(
        MAPPING,
        {
            "jeton": token,
            "col_0": "last_name",
            "col_1": "first_name",
            "col_2": "birth_date",
            "col_3": "address",
        },
    )
    assert client.post(PREVIEW, {"jeton": token}).status_code == 302
    assert Beneficiary.objects.get().address == "12 rue Verte"


def test_workbook_sheet_can_be_chosen(client, login, world):
    login(world.referent_ft)
    data = xlsx_file(people(2), before={"Lisez-moi": [["Liste du forum"]]})
    token = token_of(upload(client, data, "forum.xlsx"))
    html = client.get(MAPPING, {"jeton": token}).content.decode()
    assert '<label class="fr-label" for="feuille">' in html and "(feuille « Lisez-moi »)" in html
    response = client.get(MAPPING, {"jeton": token, "feuille": "Absente"})
    assert response.status_code == 302 and upload_path(token) is not None  # the upload is kept
    assert "La feuille « Absente » n&#x27;existe pas" in client.get(response["Location"]).content.decode()
    response = client.get(MAPPING, {"jeton": token, "feuille": "Personnes"})
    assert response.status_code == 302
    assert detected_mapping(client, token)["col_0"] == "last_name"
    client.post(MAPPING, {"jeton": token, **detected_mapping(client, token)})
    assert client.post(PREVIEW, {"jeton": token}).status_code == 302
    assert Beneficiary.objects.count() == 2


def test_preview_without_mapping_goes_back_to_the_mapping(client, login, world):
    login(world.referent_ft)
    token = token_of(upload(client, csv_file(people(1))))
    response = client.get(PREVIEW, {"jeton": token})
    assert response.status_code == 302 and response["Location"] == f"{MAPPING}?jeton={token}"


def test_someone_created_meanwhile_is_reported_at_import_time(client, login, world):
    login(world.referent_ft)
    token = token_of(upload(client, csv_file(people(2))))
    client.post(MAPPING, {"jeton": token, **detected_mapping(client, token)})
    assert "Importer 2 personnes" in client.get(PREVIEW, {"jeton": token}).content.decode()
    first = person(0)
    BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ml,
        last_name=first[0],
        first_name=first[1],
        birth_date=date(1980, 1, 1),
    )
    response = client.post(PREVIEW, {"jeton": token})
    assert response.status_code == 200 and "Déjà présent(e) dans la cité" in response.content.decode()
    assert Beneficiary.objects.count() == 1


def test_csv_template_lists_the_expected_columns(client, login, world):
    login(world.referent_ft)
    response = client.get(reverse("imports:people_template"))
    assert response.status_code == 200 and "modele-import-personnes.csv" in response["Content-Disposition"]
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert header[:3] == ["Nom", "Prénom", "Date de naissance"] and "Canal de repérage" in header


def test_done_page_without_an_import_goes_back_to_the_upload(client, login, world):
    login(world.referent_ft)
    response = client.get(reverse("imports:people_done"))
    assert response.status_code == 302 and response["Location"] == UPLOAD
