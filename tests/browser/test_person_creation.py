import re

import pytest
from playwright.sync_api import expect

from citemploi.people.models import Beneficiary
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def fill_identity(page, first, last, birth):
    page.get_by_label("Nom", exact=False).first.fill(last)
    page.get_by_label("Prénom").fill(first)
    page.get_by_label("Date de naissance").fill(birth)


def test_referent_creates_a_person_and_duplicate_is_proposed(page, live_server, world):
    sign_in(page, live_server, world.referent_ft)
    page.goto(f"{live_server.url}/personnes/")
    assert_accessible(page)
    page.get_by_role("link", name="Nouvelle personne").click()
    assert_accessible(page)
    fill_identity(page, "Aïcha", "Benali", "1991-04-12")
    page.get_by_label("QPV", exact=True).select_option(label="Amiens Nord (QN08003M)")
    page.get_by_label("Canal de repérage").select_option("door_to_door")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Aïcha BENALI").wait_for()
    assert_accessible(page)
    first = Beneficiary.objects.get(last_name="Benali")

    # Same person typed again with other accents and case: the existing file is proposed.
    page.goto(f"{live_server.url}/personnes/nouvelle/")
    fill_identity(page, "AICHA", "benali", "1991-04-12")
    page.get_by_role("button", name="Enregistrer").click()
    alert = page.locator("#doublon")
    alert.wait_for()
    assert "déjà une fiche" in alert.inner_text()
    assert_accessible(page)
    alert.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/personnes/{first.pk}/$"))
    assert Beneficiary.objects.filter(last_name__iexact="benali").count() == 1
