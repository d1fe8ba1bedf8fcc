import io
import re

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citemploi.diagnostic.imports import SAMPLE
from citemploi.diagnostic.models import QPVReference
from tests.conftest import login_as
from tests.diagnostic.helpers import small_data_set
from tests.factories import QPVFactory


def test_home_shows_matrix_chart_and_references(client, world):
    small_data_set(world)
    QPVReference.objects.create(qpv=world.qpv, year=2023, source="INSEE", population=12000, poverty_rate=44.9)
    login_as(client, world.coordinator)
    html = client.get(reverse("diagnostic:home")).content.decode()
    assert "<caption>Besoins et offre par frein — Amiens Nord</caption>" in html
    assert "Population" in html and "12000" in html and "44,9 %" in html
    assert "<svg" in html
    assert "non couvert</span>" in html
    assert "Importer des indicateurs" in html


def test_steering_sees_secret_counts(client, world):
    small_data_set(world)
    login_as(client, world.steering)
    html = client.get(reverse("diagnostic:home")).content.decode()
    assert "Secret statistique" in html
    assert re.search(r"<td>\s*secret\s*</td>", html)
    assert "Importer des indicateurs" not in html
    response = client.get(reverse("diagnostic:export", kwargs={"code": world.qpv.code, "fmt": "xlsx"}))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    mobility = next(r for r in rows if str(r[0]).startswith("5. Mobilité"))
    assert mobility[1] == "secret"


def test_export_csv_for_the_coordinator(client, world):
    small_data_set(world)
    login_as(client, world.coordinator)
    text = client.get(
        reverse("diagnostic:export", kwargs={"code": world.qpv.code, "fmt": "csv"})
    ).content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].startswith("Frein;Personnes concernées;Services — Repérage et mobilisation")
    assert lines[5].startswith("5. Mobilité;2;")
    assert lines[3].endswith(";0;3;oui")  # digital: no service, 3 empty searches, uncovered


def test_a_qpv_of_another_cite_is_not_found(client, world):
    other = QPVFactory(code="QN07201M", name="Ailleurs")
    world.other_cite.qpvs.add(other)
    login_as(client, world.coordinator)
    assert (
        client.get(reverse("diagnostic:export", kwargs={"code": other.code, "fmt": "csv"})).status_code == 404
    )
    assert (
        "n'est pas un QPV de la cité"
        in client.get(reverse("diagnostic:home"), {"qpv": other.code}).content.decode()
    )


def test_home_query_count_is_pinned(client, world):
    small_data_set(world)
    login_as(client, world.steering)
    client.get(reverse("diagnostic:home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("diagnostic:home"))
    assert len(queries) <= 16, [q["sql"] for q in queries.captured_queries]
    small_data_set_more = QPVReference.objects.create(qpv=world.qpv, year=2022)
    assert small_data_set_more.pk
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("diagnostic:home"))
    assert len(more) == len(queries)


def test_upload_import_and_report(client, world):
    QPVFactory(code="QN08004M", name="Étouvie")
    login_as(client, world.coordinator)
    url = reverse("diagnostic:import")
    upload = SimpleUploadedFile("indicateurs.csv", SAMPLE.encode("utf-8"), content_type="text/csv")
    html = client.post(url, {"year": 2023, "file": upload}).content.decode()
    # Étouvie is not a QPV of the cité: the whole file is refused, line 3 reported.
    assert "ligne 3 : le QPV QN08004M n&#x27;est pas un QPV de votre cité" in html
    assert not QPVReference.objects.exists()
    only_north = SAMPLE.splitlines()[0] + "\n" + SAMPLE.splitlines()[1] + "\n"
    upload = SimpleUploadedFile("indicateurs.csv", only_north.encode("cp1252", errors="replace"))
    response = client.post(url, {"year": 2023, "file": upload})
    assert response.status_code == 302
    assert QPVReference.objects.get(qpv=world.qpv, year=2023).population == 12345
    assert client.get(reverse("diagnostic:template")).content.decode().startswith("code_qpv;source")


def test_edit_references_with_decimal_comma_and_stale_version(client, world):
    login_as(client, world.coordinator)
    url = reverse("diagnostic:reference_edit", kwargs={"code": world.qpv.code, "year": 2024})
    data = {"version": "", "source": "INSEE", "population": "9000", "unemployment_rate": "25,5"}
    assert client.post(url, data).status_code == 302
    reference = QPVReference.objects.get(qpv=world.qpv, year=2024)
    assert str(reference.unemployment_rate) == "25.50"
    assert client.post(url, data | {"version": reference.version, "population": "9100"}).status_code == 302
    html = client.post(url, data | {"version": reference.version, "population": "1"}).content.decode()
    assert "modifiés entre-temps" in html
    html = client.post(url, data | {"version": 2, "poverty_rate": "120"}).content.decode()
    assert 'aria-describedby="id_poverty_rate-messages"' in html


def test_coordinator_sets_secrecy_thresholds_and_reads_the_log(client, world):
    from citemploi.secrecy.models import SecrecySettings, SuppressionLog

    small_data_set(world)
    login_as(client, world.steering)
    client.get(reverse("diagnostic:home"))  # protected reading: suppressions are logged
    login_as(client, world.coordinator)
    url = reverse("diagnostic:secrecy")
    html = client.get(url).content.decode()
    assert "Seuil — Public" in html
    assert "diagnostic.demande_par_frein" in html
    assert SuppressionLog.objects.filter(cite=world.cite).count() == 3
    data = {
        "threshold_national": "11",
        "threshold_funders": "11",
        "threshold_public": "20",
        "threshold_steering": "5",
        "version_national": "",
        "version_funders": "",
        "version_public": "",
        "version_steering": "",
    }
    assert client.post(url, data).status_code == 302
    assert dict(SecrecySettings.objects.values_list("audience", "threshold")) == {"public": 20, "steering": 5}
    # A stale form changes nothing, for any audience.
    html = client.post(url, data | {"threshold_public": "30", "threshold_steering": "6"}).content.decode()
    assert "modifié entre-temps" in html
    assert dict(SecrecySettings.objects.values_list("audience", "threshold")) == {"public": 20, "steering": 5}
    # With a threshold of 5 for steering, the 2 people of mobility stay secret, nothing else changes.
    login_as(client, world.steering)
    assert "1 à 4 personnes" in client.get(reverse("diagnostic:home")).content.decode()
