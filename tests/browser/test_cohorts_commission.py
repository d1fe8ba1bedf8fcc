"""A référent proposes a person for a cohort; the coordinator prepares the commission, marks presence,
decides "intégré·e", closes the session and downloads the minutes. Every page is axe-clean."""

import pytest

from citemploi.cohorts.enums import MemberState
from citemploi.cohorts.models import CohortMember, CommissionSession
from tests.browser.conftest import assert_accessible, sign_in
from tests.cohorts.builders import candidate_person, open_cohort

pytestmark = pytest.mark.django_db(transaction=True)


def test_proposal_commission_decision_and_minutes(browser, page, live_server, world):
    cohort = open_cohort(world)
    person = candidate_person(world, first_name="Awa", last_name="Diallo")

    # The référent proposes the person from their file.
    sign_in(page, live_server, world.referent_ft)
    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_role("link", name="Proposer pour une cohorte").click()
    assert_accessible(page)
    page.get_by_label("Cohorte").select_option(label=cohort.name)
    page.get_by_label("Motif de la proposition").fill("Inscrite depuis 18 mois, disponible rapidement.")
    page.get_by_role("button", name="Proposer").click()
    page.get_by_role("heading", name="Cohortes").wait_for()
    assert "Proposé·e" in page.content()
    assert_accessible(page)
    member = CohortMember.objects.get(beneficiary=person)

    # The coordinator prepares the session: cohort, convened and present members, the candidate on the agenda.
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    coord = context.new_page()
    coord.set_default_timeout(15000)
    sign_in(coord, live_server, world.coordinator)
    coord.goto(f"{live_server.url}/cohortes/")
    assert_accessible(coord)
    coord.get_by_role("link", name="Séances de commission").click()
    coord.get_by_role("link", name="Nouvelle séance").click()
    assert_accessible(coord)
    coord.get_by_label("Date de la séance").fill("2024-06-10")
    coord.get_by_role("group", name="Cohortes examinées").get_by_label(cohort.name).check(force=True)
    convened = coord.get_by_role("group", name="Personnes convoquées")
    present = coord.get_by_role("group", name="Personnes présentes")
    # by membership (the box's value): generated names may repeat, a label could match two people
    for m in (world.coordinator, world.commission_member, world.referent_ft):
        convened.locator(f'input[value="{m.pk}"]').check(force=True)
    for m in (world.coordinator, world.commission_member):
        present.locator(f'input[value="{m.pk}"]').check(force=True)
    coord.get_by_role("group", name="Ordre du jour").get_by_label("Awa D.", exact=False).check(force=True)
    coord.get_by_role("button", name="Enregistrer la séance").click()
    coord.get_by_role("heading", name="Ordre du jour").wait_for()
    assert_accessible(coord)

    # Decision and closing.
    coord.get_by_role("group", name="Décision pour Awa D.").get_by_label("Intégré·e").check(force=True)
    coord.get_by_label("Motif ou commentaire").fill("Profil adapté à la cohorte")
    coord.get_by_role("button", name="Enregistrer la décision pour Awa D.").click()
    coord.get_by_text("Décision enregistrée.").wait_for()
    coord.get_by_role("button", name="Clôturer la séance").click()
    coord.get_by_text("les décisions sont verrouillées", exact=False).first.wait_for()
    assert_accessible(coord)
    member.refresh_from_db()
    assert member.state == MemberState.INTEGRATED
    assert CommissionSession.objects.get().locked

    with coord.expect_download() as info:
        coord.get_by_role("link", name="Télécharger le compte rendu (PDF)").click()
    with open(info.value.path(), "rb") as pdf:
        assert pdf.read(4) == b"%PDF"
    context.close()
