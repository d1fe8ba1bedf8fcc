"""A project holder applies to a call in Chromium: fills in the file, is stopped by a blocking rule, fixes it
(the rules panel follows the typing), submits; then a reviewer declares no conflict and scores. Every page
is checked with axe-core."""

import pytest

from citemploi.calls.enums import ApplicationStatus, ReviewStatus
from citemploi.calls.models import Application, Review
from citemploi.calls.services import instruction
from tests.browser.conftest import assert_accessible, sign_in
from tests.calls.factories import FUNDER, PDF, CallFactory, add_rule
from tests.factories import ctx_for

pytestmark = pytest.mark.django_db(transaction=True)


def settle(page):
    """Let the live check of the rules panel (sent 0.7 s after the last keystroke) come back."""
    page.wait_for_timeout(900)
    page.wait_for_load_state("networkidle")


def save_and_continue(page):
    settle(page)
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_load_state("networkidle")


def test_holder_applies_and_reviewer_scores(page, live_server, world, tmp_path):
    call = CallFactory(cite=world.cite, title="Appel à projets Cité de l'emploi")
    add_rule(
        call,
        "title_prefix",
        {"prefix": "CITE EMPLOI-"},
        message="Intitulé exigé par le portail des subventions.",
    )

    # The holder finds the call on the public page and starts a file.
    sign_in(page, live_server, world.holder)
    page.goto(f"{live_server.url}/appels-a-projets/")
    assert_accessible(page)
    page.get_by_role("link", name="Appel à projets Cité de l'emploi").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Déposer un dossier").click()
    page.get_by_label("Intitulé de l'action").fill("Garde d'enfants solidaire")
    page.get_by_role("button", name="Créer le dossier").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    app = Application.objects.get()

    # Porteur
    page.get_by_label("SIRET").fill("12345678901234")
    page.get_by_label("représentant·e légal·e (signataire)").fill("Fatou Ndiaye")
    page.get_by_label("qualité du signataire").fill("Présidente")
    save_and_continue(page)
    # Projet
    assert_accessible(page)
    page.get_by_label("description").fill("Garde ponctuelle des enfants pendant les entretiens d'embauche.")
    page.get_by_label("thématique").select_option("childcare")
    page.locator("label", has_text="Amiens Nord (QN08003M)").click()
    page.get_by_label("lieux de réalisation").fill("Maison de quartier Amiens Nord")
    page.get_by_label("date de début").fill(f"{call.year}-06-01")
    page.get_by_label("date de fin").fill(f"{call.year}-12-15")
    page.get_by_label("personnes visées (résident·es des QPV)").fill("30")
    page.get_by_label("moyens humains").fill("Deux auxiliaires parentales")
    page.get_by_label("Subvention demandée à la cité (€)").fill("20 000")
    save_and_continue(page)
    # Partenaires
    page.get_by_label("ou nom de la structure").first.fill("Crèche associative")
    page.get_by_label("Rôle dans le projet").first.fill("Accueil des enfants")
    save_and_continue(page)
    # Objectifs
    assert_accessible(page)
    page.get_by_label("Objectif", exact=True).first.fill("Garder les enfants pendant les démarches")
    page.get_by_label("Indicateur").first.fill("Gardes réalisées")
    page.get_by_label("Unité").first.fill("gardes")
    page.get_by_label("Cible").first.fill("120")
    save_and_continue(page)
    # Activités
    page.get_by_label("Activité", exact=True).first.fill("Permanence de garde")
    save_and_continue(page)
    # Budget: the panel follows the typing.
    assert_accessible(page)
    page.get_by_label("641 – Rémunération des personnels").fill("18000")
    page.get_by_label("645 – Charges sociales").fill("7000")
    page.get_by_label("Ligne 74").first.select_option("74etat")
    page.get_by_label("Financeur (intitulé exact)").first.fill(FUNDER)
    page.get_by_label("Montant (€)").first.fill("20000")
    page.locator("#controle").get_by_text("Budget déséquilibré").wait_for()
    page.get_by_label("Ligne 74").nth(1).select_option("74dep")
    page.get_by_label("Financeur (intitulé exact)").nth(1).fill("Département de la Somme")
    page.get_by_label("Montant (€)").nth(1).fill("5000")
    page.locator("#controle").get_by_text("Budget équilibré").wait_for()
    save_and_continue(page)
    # Pièces
    assert_accessible(page)
    pdf = tmp_path / "piece.pdf"
    pdf.write_bytes(PDF)
    for code in ("statuts", "rib", "budget-structure"):
        page.locator("#id_kind").select_option(code)
        page.get_by_label("Fichier").set_input_files(str(pdf))
        page.get_by_role("button", name="Joindre").click()
        page.wait_for_load_state("networkidle")
    assert app.documents.count() == 3

    # Submission refused by the blocking rule, which says why.
    page.goto(f"{live_server.url}/appels-a-projets/dossiers/{app.pk}/depot/")
    page.get_by_role("button", name="Déposer le dossier").click()
    alert = page.get_by_role("alert").filter(has_text="Le dossier n'a pas été déposé")
    alert.wait_for()
    assert "doit commencer par « CITE EMPLOI- »" in alert.inner_text()
    assert_accessible(page)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.DRAFT

    # Fixed in the project section: the panel says so before saving.
    page.goto(f"{live_server.url}/appels-a-projets/dossiers/{app.pk}/rubriques/projet/")
    page.get_by_label("intitulé de l'action").fill("CITE EMPLOI-Garde d'enfants solidaire")
    page.locator("#controle").get_by_text("L'intitulé commence par « CITE EMPLOI- ».").wait_for()
    assert_accessible(page)
    save_and_continue(page)
    page.goto(f"{live_server.url}/appels-a-projets/dossiers/{app.pk}/depot/")
    page.get_by_role("button", name="Déposer le dossier").click()
    page.get_by_text("Dossier déposé le").wait_for()
    assert_accessible(page)
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and app.versions.count() == 1

    # The coordination declares it admissible and assigns a reviewer.
    coordinator = ctx_for(world.coordinator)
    instruction.declare_admissible(ctx=coordinator, app=app)
    assignment = instruction.assign_reviewer(ctx=coordinator, app=app, reviewer=world.reviewer.user)

    # The reviewer declares no conflict of interest, then scores with justifications.
    page.context.clear_cookies()
    sign_in(page, live_server, world.reviewer)
    page.goto(f"{live_server.url}/appels-a-projets/instruction/")
    assert_accessible(page)
    page.get_by_role("link", name=f"Déclarer pour {app.reference}").click()
    assert_accessible(page)
    page.locator("label", has_text="Non : je n'ai aucun lien").click()
    page.get_by_role("button", name="Enregistrer ma déclaration").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    for criterion in call.criteria.all():
        page.get_by_label(f"Note : {criterion.label}").select_option(str(criterion.max_score))
        page.get_by_label(f"Justification : {criterion.label}").fill(
            f"Très convaincant : {criterion.label.lower()}."
        )
    page.get_by_role("button", name="Transmettre l'évaluation").click()
    page.get_by_text("Évaluation transmise.").wait_for()
    assert_accessible(page)
    review = Review.objects.get(assignment=assignment)
    assert review.status == ReviewStatus.SUBMITTED and review.scores.count() == 4
