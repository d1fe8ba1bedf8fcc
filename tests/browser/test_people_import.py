import pytest

from citemploi.people.models import Beneficiary
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

BAD = "Nom;Prénom;Date de naissance;Courriel\nDupont;Jeanne;12/03/1990;jeanne@example.org\nMartin;Paul;31/02/1985;paul@example.org\n"
GOOD = BAD.replace("31/02/1985", "28/02/1985")


def upload(page, live_server, tmp_path, content):
    path = tmp_path / "liste.csv"
    path.write_text(content, encoding="utf-8")
    page.goto(f"{live_server.url}/imports/personnes/")
    assert_accessible(page)
    page.get_by_label("Fichier à importer").set_input_files(str(path))
    page.get_by_role("button", name="Continuer").click()
    page.get_by_role("button", name="Vérifier le fichier").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Vérifier le fichier").click()


def test_import_reports_errors_line_by_line_then_imports_all(page, live_server, world, tmp_path):
    sign_in(page, live_server, world.referent_ft)
    upload(page, live_server, tmp_path, BAD)
    report = page.locator("#rapport")
    report.wait_for()
    text = report.inner_text()
    assert "31/02/1985" in text and "3" in text  # the bad date, on line 3 of the file
    assert "rien ne sera importé" in page.content()
    assert_accessible(page)
    assert not Beneficiary.objects.exists()

    upload(page, live_server, tmp_path, GOOD)
    page.get_by_role("button", name="Importer").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    assert set(Beneficiary.objects.values_list("last_name", flat=True)) == {"Dupont", "Martin"}
    assert set(Beneficiary.objects.values_list("responsible_structure", flat=True)) == {world.ft.pk}
