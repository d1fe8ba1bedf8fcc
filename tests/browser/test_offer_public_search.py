"""A resident searches the public directory on a phone, opens a service, and a search that finds nothing is
counted as an unmet need."""

import pytest
from playwright.sync_api import expect

from citemploi.offer.models import EmptySearch
from tests.browser.conftest import assert_accessible
from tests.factories import CommuneFactory
from tests.offer.factories import ServiceFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def directory(world):
    amiens = CommuneFactory(insee_code="80021", name="Amiens")
    world.cite.communes.add(amiens)
    world.qpv.communes.add(amiens)
    ServiceFactory(
        structure=world.asso,
        driving_school=True,
        areas=["80021"],
        prescribers="Conseiller·ère France Travail ou Mission locale",
        mobilisable_par=["professionnels"],
        modes_mobilisation=["telephoner"],
        phone="03 22 00 00 00",
    )
    ServiceFactory(structure=world.ml, childcare=True)
    return world


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_resident_finds_a_service_on_a_phone_and_learns_how_to_get_it(phone_page, live_server, directory):
    page = phone_page
    page.goto(f"{live_server.url}/services/")
    page.get_by_role("heading", name="Trouver de l'aide près de chez vous").wait_for()
    assert _fits_the_screen(page)
    assert_accessible(page)
    page.get_by_label("De quoi avez-vous besoin ?").select_option(label="Me déplacer, passer le permis")
    page.get_by_label("Votre commune").select_option(label="Amiens (80021)")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("heading", name="1 service trouvé").wait_for()
    assert _fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("link", name="Auto-école sociale").click()
    page.get_by_role("heading", name="Comment en bénéficier").wait_for()
    expect(page.get_by_text("Demandez à votre conseiller·ère de vous y inscrire")).to_be_visible()
    assert page.get_by_role("link", name="03 22 00 00 00").get_attribute("href") == "tel:03 22 00 00 00"
    assert _fits_the_screen(page)
    assert_accessible(page)


def test_a_search_that_finds_nothing_is_recorded(phone_page, live_server, directory):
    page = phone_page
    page.goto(f"{live_server.url}/services/")
    page.get_by_label("De quoi avez-vous besoin ?").select_option(label="Me loger")
    page.get_by_label("Ou votre quartier").select_option(label="Amiens Nord")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_role("heading", name="Aucun service ne correspond à votre recherche").wait_for()
    assert_accessible(page)
    record = EmptySearch.objects.get()
    assert (record.barrier, record.qpv_code, record.cite_id) == ("logement", "QN08003M", directory.cite.pk)
