"""A whole pathway in the browser, across the domains: a référent identifies a person (new file, consent),
diagnoses a barrier, orients her to another structure's service, that structure accepts, the référent records
a job outcome and, months later, the 6-month retention check. Every page on the way is axe-clean."""

from datetime import date

import pytest

from citemploi.orientations.models import Orientation
from citemploi.pathways.models import BarrierRecord
from citemploi.pathways.situations import ensure_default_situations
from citemploi.people.models import Beneficiary
from citemploi.tracking.models import FollowUpCheck
from citemploi.tracking.services import add_months
from tests.browser.conftest import assert_accessible, sign_in
from tests.offer.factories import ServiceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_identify_diagnose_orient_accept_outcome_and_six_month_check(browser, page, live_server, world):
    ensure_default_situations()
    ServiceFactory(structure=world.ml, name="Plateforme mobilité jeunes", driving_school=True)
    page.set_default_navigation_timeout(60000)
    page.set_default_timeout(60000)
    sign_in(page, live_server, world.referent_ft)

    # Identify: a new file, and the person's consent to share with the partners.
    page.goto(f"{live_server.url}/personnes/nouvelle/")
    page.get_by_label("Nom", exact=False).first.fill("Kaya")
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_label("Date de naissance").fill("1998-02-11")
    page.get_by_label("QPV", exact=True).select_option(label="Amiens Nord (QN08003M)")
    page.get_by_label("Canal de repérage").select_option("door_to_door")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Inès KAYA").wait_for()
    person = Beneficiary.objects.get(last_name="Kaya")
    page.get_by_label("Objet du consentement").select_option("sharing")
    page.get_by_label("Mode de recueil").select_option("written")
    page.locator("input[name=given_on]").fill(date.today().isoformat())
    page.get_by_role("button", name="Enregistrer le consentement").click()
    page.get_by_role("heading", name="Inès KAYA").wait_for()
    assert_accessible(page)

    # Diagnose: the mobility barrier, with the directory's suggestion.
    page.goto(f"{live_server.url}/parcours/personnes/{person.pk}/")
    page.get_by_role("link", name="Ajouter un frein").click()
    page.get_by_label("Frein *", exact=True).select_option("mobilite")
    page.get_by_label("Sévérité").select_option("high")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Diagnostic : 1 frein ouvert").wait_for()
    assert "Plateforme mobilité jeunes" in page.locator("#suggestions").inner_text()
    assert_accessible(page)
    assert BarrierRecord.objects.get(beneficiary=person).barrier == "mobilite"

    # Orient to the Mission locale's service.
    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_role("link", name="Orienter vers un service").click()
    page.locator("label", has_text="Plateforme mobilité jeunes").click()
    page.get_by_label("Motif de l'orientation").fill("Permis nécessaire pour un poste en horaires décalés.")
    page.get_by_role("button", name="Envoyer l'orientation").click()
    page.get_by_text("envoyée à").wait_for()
    assert_accessible(page)
    orientation = Orientation.objects.get(beneficiary=person)

    # The receiving structure accepts in the platform.
    receiver = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    other = receiver.new_page()
    other.set_default_timeout(60000)
    sign_in(other, live_server, world.referent_ml)
    other.goto(f"{live_server.url}/orientations/{orientation.pk}/")
    other.get_by_role("button", name="Accepter").click()
    other.get_by_text("acceptée").first.wait_for()
    receiver.close()
    orientation.refresh_from_db()
    assert orientation.status == "accepted"
    page.goto(f"{live_server.url}/orientations/?boite=sent")
    assert "Acceptée" in page.content()

    # Outcome: a job found seven months ago, then the 6-month check.
    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_role("link", name="Enregistrer une sortie").click()
    page.get_by_label("Type de sortie").select_option("sustainable_job")
    page.get_by_label("Date de sortie").fill(add_months(date.today(), -7).isoformat())
    page.get_by_label("Employeur ou organisme de formation").fill("Transports Amiénois")
    page.get_by_label("Type de contrat").select_option("cdi")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_role("link", name="Enregistrer le point à 6 mois").click()
    assert_accessible(page)
    page.get_by_label("Situation de la personne").select_option("same_job")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("Point de suivi à 6 mois enregistré.").wait_for()
    assert_accessible(page)
    check = FollowUpCheck.objects.get(outcome__beneficiary=person, months=6)
    assert check.still_in_job_or_training is True
