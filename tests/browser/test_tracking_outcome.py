"""A référent writes a journal entry (sensitive-data warning, then confirmation), records a job outcome dated
7 months ago, sees the 3- and 6-month checks due and records the 6-month check; axe-core clean throughout."""

from datetime import date

import pytest
from playwright.sync_api import expect

from citemploi.tracking.models import FollowUpCheck, JournalEntry, Outcome
from citemploi.tracking.services import add_months
from tests.browser.conftest import assert_accessible, sign_in
from tests.tracking.helpers import person_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_referent_journal_outcome_and_six_month_check(page, live_server, world):
    person = person_of(world, first_name="Nadia", last_name="Morel", birth_date=date(1990, 5, 4))
    # A shared machine under load may serve the first pages slowly.
    page.set_default_navigation_timeout(60000)
    page.set_default_timeout(60000)
    sign_in(page, live_server, world.referent_ft)

    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Ajouter une entrée au journal").click()
    page.get_by_label("Type").select_option("visit")
    page.get_by_label("Compte rendu").fill("Entretien : elle sort de l'hôpital lundi, disponible ensuite.")
    page.get_by_label("Note privée").fill("Lui redonner le numéro de l'atelier.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    warning = page.locator("#donnees-sensibles")
    warning.wait_for()
    assert "santé" in warning.inner_text()
    assert JournalEntry.objects.count() == 0
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer et enregistrer quand même").click()
    page.get_by_role("heading", name="Journal du parcours de Nadia MOREL").wait_for()
    assert "Lui redonner le numéro" in page.content()
    assert_accessible(page)
    assert JournalEntry.objects.get().sensitive_confirmed

    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_role("link", name="Enregistrer une sortie").click()
    assert_accessible(page)
    page.get_by_label("Type de sortie").select_option("sustainable_job")
    day = add_months(date.today(), -7)
    page.get_by_label("Date de sortie").fill(day.isoformat())
    page.get_by_label("Employeur ou organisme de formation").fill("Logistique Picarde")
    page.get_by_label("Type de contrat").select_option("cdi")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_role("heading", name="Sorties et maintien dans l'emploi de Nadia MOREL").wait_for()
    expect(page.get_by_role("link", name="Enregistrer le point à 3 mois")).to_be_visible()
    expect(page.get_by_role("link", name="Enregistrer le point à 6 mois")).to_be_visible()
    assert page.get_by_role("link", name="Enregistrer le point à 12 mois").count() == 0
    assert_accessible(page)

    page.get_by_role("link", name="Enregistrer le point à 6 mois").click()
    assert_accessible(page)
    page.get_by_label("Situation de la personne").select_option("same_job")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("Point de suivi à 6 mois enregistré.").wait_for()
    assert_accessible(page)
    six = FollowUpCheck.objects.get(outcome=Outcome.objects.get(), months=6)
    assert six.still_in_job_or_training is True and six.recorded_by == world.referent_ft.user
    assert page.get_by_role("link", name="Enregistrer le point à 6 mois").count() == 0

    # The home page lists the person: the 3-month check is still to do.
    page.goto(f"{live_server.url}/")
    assert "MOREL Nadia" in page.content() and "Point à 3 mois" in page.content()
    assert_accessible(page)
