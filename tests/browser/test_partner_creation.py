import pytest
from playwright.sync_api import expect

from citemploi.partners.models import Structure
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_adds_a_partner_structure(page, live_server, world):
    sign_in(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/partenaires/")
    assert_accessible(page)
    page.get_by_role("link", name="Ajouter une structure").click()
    assert_accessible(page)
    page.get_by_label("Nom").first.fill("Régie de quartier Amiens Nord")
    page.get_by_label("Type").select_option("siae")
    page.get_by_label("SIRET").fill("1234")
    page.get_by_label("Format de coopération").select_option("coproduction")
    page.locator("label", has_text="Amiens Nord").click()
    page.get_by_role("button", name="Enregistrer").click()
    # Bad SIRET: the form comes back with the error, and nothing typed is lost.
    expect(page.get_by_text("Le SIRET compte 14 chiffres.")).to_be_visible()
    assert page.get_by_label("Nom").first.input_value() == "Régie de quartier Amiens Nord"
    assert_accessible(page)
    page.get_by_label("SIRET").fill("12345678901234")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Régie de quartier Amiens Nord").wait_for()
    structure = Structure.objects.get(name="Régie de quartier Amiens Nord")
    partnership = structure.partnerships.get(cite=world.cite)
    assert partnership.cooperation_format == "coproduction"
    assert list(partnership.qpvs.values_list("code", flat=True)) == ["QN08003M"]
    assert_accessible(page)
