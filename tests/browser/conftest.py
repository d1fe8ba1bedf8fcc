"""Browser tests: Playwright drives Debian's Chromium against the live test server; axe-core checks each page."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CITEMPLOI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # one xdist worker runs all browser tests (they share the browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        raise RuntimeError(
            f"Chromium not found at {CHROMIUM}: run `make test`, which installs Debian's chromium."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 740}, is_mobile=True)
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def assert_accessible(page) -> None:
    """No serious or critical axe-core violation on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    # a click may have started a navigation: let it finish so axe runs on the new document, not between two
    page.wait_for_load_state("load")
    try:
        results = Axe().run(page)
    except Exception as exc:  # the document was replaced while axe ran: run again on the settled page
        if "documentElement" not in str(exc) and "Execution context was destroyed" not in str(exc):
            raise
        page.wait_for_load_state("load")
        results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"axe-core violations on {page.url}: {bad}"


PASSWORD = "motdepasse-de-test-123"


def sign_in(page, live_server, membership) -> None:
    page.goto(f"{live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill(membership.user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")
    complete_second_factor(page, membership.user)


def complete_second_factor(page, user) -> None:
    """Coordinators and national users enrol an authenticator at first sign-in, then give a code each time."""
    import pyotp

    if "/connexion/double-authentification/activer/" in page.url:
        secret = page.locator("#totp-secret").get_attribute("data-secret").replace(" ", "")
        page.get_by_label("Code de vérification").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Activer").click()
        page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
        page.wait_for_load_state("networkidle")
    elif "/connexion/double-authentification/" in page.url:
        from tests.accounts.helpers import fresh_code

        page.get_by_label("Code à 6 chiffres ou code de secours").fill(fresh_code(user))
        page.get_by_role("button", name="Vérifier").click()
        page.wait_for_load_state("networkidle")
