import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_page_is_accessible_and_rejects_a_wrong_password(page, live_server, world):
    page.goto(f"{live_server.url}/connexion/")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill(world.coordinator.user.email)
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Adresse e-mail ou mot de passe incorrect.")).to_be_visible()
    assert_accessible(page)


def test_user_with_several_roles_chooses_one_then_lands_home(page, live_server, world):
    from tests.factories import member

    member(world.cite, "referent", world.ml, user=world.coordinator.user)
    sign_in(page, live_server, world.coordinator)
    expect(page).to_have_url(re.compile("/contexte/"))
    assert_accessible(page)
    page.locator("label", has_text="Référent·e de parcours").click()
    page.get_by_role("button", name="Continuer").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bonjour")
    expect(page.get_by_text("Référent·e de parcours", exact=False).first).to_be_visible()
    assert_accessible(page)
    assert PASSWORD
