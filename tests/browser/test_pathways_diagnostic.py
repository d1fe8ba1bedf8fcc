"""A référent opens a person's file, goes to the pathway, adds a barrier, sees suggested services, adds an
objective and an action; every page is axe-clean."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from citemploi.pathways.models import BarrierRecord, PlanAction
from citemploi.pathways.situations import ensure_default_situations
from tests.browser.conftest import assert_accessible, sign_in
from tests.offer.factories import ServiceFactory
from tests.pathways.helpers import followed_by_ft

pytestmark = pytest.mark.django_db(transaction=True)


def test_referent_diagnoses_sees_suggestions_and_plans(page, live_server, world):
    ensure_default_situations()
    person = followed_by_ft(world, first_name="Awa", last_name="Diallo")
    ServiceFactory(structure=world.asso, driving_school=True)
    sign_in(page, live_server, world.referent_ft)

    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_role("heading", name="Diagnostic et plan d'action").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Ouvrir le parcours de Awa Diallo").click()
    page.get_by_role("heading", name="Parcours de Awa DIALLO").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Ajouter un frein").click()
    assert_accessible(page)
    page.get_by_label("Frein *", exact=True).select_option("mobilite")
    page.get_by_role("combobox", name="Situation").select_option(label="N'a pas le permis de conduire")
    page.get_by_label("Sévérité").select_option("high")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Diagnostic : 1 frein ouvert").wait_for()
    expect(page.get_by_role("cell", name="Auto-école sociale", exact=True)).to_be_visible()
    assert "12 places · 5 en liste d'attente" in page.locator("#suggestions").inner_text()
    assert_accessible(page)
    record = BarrierRecord.objects.get(beneficiary=person)
    assert record.situation.code == "ce-mob-permis"

    page.get_by_role("link", name="Ajouter un objectif").click()
    page.get_by_label("Intitulé de l'objectif").fill("Passer le permis B")
    page.locator("label", has_text="5. Mobilité").click()
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Passer le permis B").wait_for()

    page.get_by_role("link", name="Ajouter une action").click()
    page.get_by_label("Objectif").select_option(label="Passer le permis B")
    page.get_by_label("Intitulé de l'action").fill("S'inscrire à l'auto-école sociale")
    page.get_by_label("Échéance").fill((date.today() + timedelta(days=14)).isoformat())
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("cell", name="S'inscrire à l'auto-école sociale", exact=True).wait_for()
    assert_accessible(page)
    assert PlanAction.objects.get(beneficiary=person).owner_membership == world.referent_ft
    record.refresh_from_db()
    assert record.state == "action_engaged"
