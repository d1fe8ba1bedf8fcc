"""A coordinator records an event with its counts and two named participants — a person the cité follows
and a person met there — in Chromium, each page checked with axe-core."""

from datetime import date

import pytest
from playwright.sync_api import expect

from citemploi.partnership.models import Event
from citemploi.people.models import Beneficiary
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_records_an_event_with_counts_and_named_participants(page, live_server, world):
    awa = BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ft,
        first_name="Awa",
        last_name="Diallo",
        gender="F",
        birth_date=date(2001, 2, 3),
        qpv=world.qpv,
    )
    sign_in(page, live_server, world.coordinator)
    page.goto(f"{live_server.url}/partenariat/")
    assert_accessible(page)
    page.get_by_role("link", name="Actions et événements").click()
    assert_accessible(page)
    page.get_by_role("link", name="Enregistrer une action").click()
    assert_accessible(page)

    page.get_by_label("Type d'action").select_option("cafe_emploi")
    page.get_by_label("Intitulé").fill("Café emploi d'Amiens Nord")
    page.get_by_label("Date *", exact=True).fill("2024-03-14")
    page.get_by_label("Lieu", exact=True).fill("Centre social Alco")
    page.get_by_label("QPV du lieu").select_option(label="Amiens Nord (QN08003M)")
    page.get_by_role("group", name="Structures organisatrices").locator(
        "label", has_text=world.ft.name
    ).click()
    page.get_by_role("group", name="Structures partenaires").locator("label", has_text=world.ml.name).click()
    page.get_by_role("spinbutton", name="Participant·es compté·es sans être nommé·es").fill("12")
    page.get_by_role("spinbutton", name="dont jeunes").fill("4")
    page.get_by_role("spinbutton", name="dont femmes").fill("15")  # more women than people counted: refused
    page.get_by_role("spinbutton", name="dont seniors").fill("2")
    page.get_by_role("spinbutton", name="dont résident·es d'un QPV").fill("9")
    page.get_by_label("Heures d'action réalisées").fill("3")
    page.get_by_label("Heures de coordination").fill("1,5")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le nombre de femmes ne peut pas dépasser")).to_be_visible()
    assert page.get_by_label("Intitulé").input_value() == "Café emploi d'Amiens Nord"
    assert_accessible(page)
    page.get_by_role("spinbutton", name="dont femmes").fill("6")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("heading", name="Café emploi d'Amiens Nord").wait_for()
    assert_accessible(page)
    event = Event.objects.get(title="Café emploi d'Amiens Nord")
    assert (event.counted_total, event.counted_women, float(event.coordination_hours)) == (12, 6, 1.5)

    # A person the cité follows: found by name, registered in one click.
    page.get_by_role("textbox", name="Rechercher une personne suivie").fill("diallo")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("button", name="Inscrire Awa DIALLO").click()
    page.get_by_text("La présence de Awa Diallo est enregistrée.").wait_for()
    assert_accessible(page)

    # A person met there: their file is created, found through the event.
    page.get_by_role("link", name="Enregistrer une nouvelle personne rencontrée").click()
    assert_accessible(page)
    page.get_by_label("Nom *", exact=True).fill("Moreau")
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_label("Date de naissance").fill("1999-09-09")
    page.get_by_label("Genre").select_option("F")
    page.get_by_label("QPV", exact=True).select_option(label="Amiens Nord (QN08003M)")
    page.get_by_label("Structure référente").select_option(label=world.ml.name)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("La fiche de Inès Moreau a été créée").wait_for()
    assert_accessible(page)

    ines = Beneficiary.objects.get(last_name="Moreau")
    assert ines.reperage_channel == "outreach_event" and ines.identified_on == date(2024, 3, 14)
    assert ines.responsible_structure == world.ml and ines.referent is None
    assert sorted(event.participations.values_list("beneficiary__last_name", "first_met_here")) == [
        ("Diallo", False),
        ("Moreau", True),
    ]
    # Counted and named participants add up: 12 + 2, of whom 6 + 2 women.
    total_row = page.locator("tbody tr", has=page.get_by_role("rowheader", name="Participant·es", exact=True))
    assert total_row.locator("td").all_inner_texts() == ["12", "2", "14"]
    women_row = page.locator("tbody tr", has=page.get_by_role("rowheader", name="dont femmes", exact=True))
    assert women_row.locator("td").all_inner_texts() == ["6", "2", "8"]
    expect(page.get_by_role("link", name="MOREAU Inès")).to_be_visible()
    assert awa.participations.get().event == event
