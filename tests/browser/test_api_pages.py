"""The documentation page and the "Jetons d'API" screen in Chromium: accessible (axe-core), no resource from
another site, no script or style blocked by the Content Security Policy."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _watch(pg, live_server) -> list[str]:
    """Problems seen while the page loads: console errors (CSP reports them there), requests to other sites."""
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error":
            problems.append(message.text)

    pg.on("console", on_console)
    pg.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))

    def only_this_site(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            problems.append(f"external: {route.request.url}")
            route.abort()

    pg.route("**/*", only_this_site)
    return problems


def test_the_docs_page_works_offline_and_is_accessible(page, live_server, world):
    problems = _watch(page, live_server)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text() == "Documentation de l'API citemploi"
    expect(page.locator("#beneficiaries_create")).to_be_visible()
    assert problems == []
    assert_accessible(page)


def test_creating_and_revoking_a_token_in_the_browser(page, live_server, world):
    problems = _watch(page, live_server)
    sign_in(page, live_server, world.referent_ft)
    page.goto(f"{live_server.url}/jetons-api/")
    assert_accessible(page)
    page.get_by_label("Nom du jeton").fill("Logiciel de suivi")
    page.get_by_role("button", name="Créer un jeton").click()
    token = page.get_by_label("Votre nouveau jeton").input_value()
    assert token.startswith("cte_")
    assert_accessible(page)
    page.get_by_role("button", name=f"Révoquer le jeton {token[:12]} (Logiciel de suivi)").click()
    expect(page.get_by_text("est révoqué")).to_be_visible()
    assert_accessible(page)
    assert problems == []
