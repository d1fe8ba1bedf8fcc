import re

import pyotp
import pytest
from playwright.sync_api import expect

from citemploi.accounts.models import TwoFactorDevice
from tests.accounts.helpers import fresh_code
from tests.browser.conftest import PASSWORD, assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def _password(page, live_server, email):
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")


def test_a_coordinator_enrols_then_gives_a_code_at_the_next_sign_in(page, live_server, world):
    user = world.coordinator.user
    _password(page, live_server, user.email)
    expect(page).to_have_url(re.compile("/connexion/double-authentification/activer/"))
    expect(
        page.get_by_role("img", name="QR code à scanner avec votre application d'authentification")
    ).to_be_visible()
    assert_accessible(page)
    # a wrong code: the error is tied to the field
    page.get_by_label("Code de vérification").fill("000000")
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("Ce code n'est pas valable")).to_be_visible()
    assert page.get_by_label("Code de vérification").get_attribute("aria-describedby") == "id_code-messages"
    assert_accessible(page)
    secret = page.locator("#totp-secret").get_attribute("data-secret").replace(" ", "")
    page.get_by_label("Code de vérification").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activer").click()
    assert page.locator("#recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bonjour")
    assert TwoFactorDevice.objects.filter(user=user).exists()

    page.context.clear_cookies()
    _password(page, live_server, user.email)
    expect(page).to_have_url(re.compile("/connexion/double-authentification/"))
    assert_accessible(page)
    page.get_by_label("Code à 6 chiffres ou code de secours").fill(fresh_code(user))
    page.get_by_role("button", name="Vérifier").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bonjour")
