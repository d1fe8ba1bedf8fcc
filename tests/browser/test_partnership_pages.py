"""Every kind of partnership page, as a coordinator fills it in, checked with axe-core."""

import pytest

from tests.browser.conftest import assert_accessible, sign_in
from tests.partnership.factories import (
    CommitteeFactory,
    EmployerFactory,
    EventFactory,
    MeetingFactory,
    RoadmapActionFactory,
    contact,
    offers,
    seat,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_partnership_pages_are_accessible(page, live_server, world):
    committee = CommitteeFactory(cite=world.cite, name="Copil de la cité")
    seat(committee, world.ft, full_name="Sophie Lemaire", email="sophie@example.org")
    seat(committee, world.ml, full_name="Marc Dubois")
    meeting = MeetingFactory(committee=committee)
    action = RoadmapActionFactory(objective__cite=world.cite, owner=world.ft, title="Permanences à Etouvie")
    employer = EmployerFactory(cite=world.cite, name="Logistique Somme")
    offers(employer, "immersion", places=4)
    contact(employer)
    EventFactory(cite=world.cite, organised_by=world.ft, partnered_by=[world.ml]).employers.add(employer)

    sign_in(page, live_server, world.coordinator)
    for path in (
        "/partenariat/",
        "/partenariat/instances/",
        "/partenariat/instances/nouvelle/",
        f"/partenariat/instances/{committee.pk}/",
        f"/partenariat/instances/{committee.pk}/reunions/nouvelle/",
        f"/partenariat/reunions/{meeting.pk}/",
        f"/partenariat/reunions/{meeting.pk}/modifier/",
        "/partenariat/feuille-de-route/",
        "/partenariat/feuille-de-route/objectifs/nouveau/",
        f"/partenariat/feuille-de-route/objectifs/{action.objective_id}/modifier/",
        f"/partenariat/feuille-de-route/actions/{action.pk}/modifier/",
        f"/partenariat/feuille-de-route/actions/{action.pk}/statut/",
        "/partenariat/entreprises/",
        "/partenariat/entreprises/nouvelle/",
        f"/partenariat/entreprises/{employer.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)

    # Sending the invitations, then moving an action with a reason that is first forgotten.
    page.goto(f"{live_server.url}/partenariat/reunions/{meeting.pk}/")
    page.get_by_role("button", name="Envoyer les invitations").click()
    page.get_by_text("1 invitation en cours d'envoi").wait_for()
    assert_accessible(page)
    page.goto(f"{live_server.url}/partenariat/feuille-de-route/actions/{action.pk}/statut/")
    page.locator("label[for=statut-abandoned]").click()
    page.get_by_role("button", name="Changer le statut").click()
    page.get_by_text("Indiquez le motif de ce changement de statut.").wait_for()
    assert_accessible(page)


def test_steering_reads_an_event_without_names(page, live_server, world):
    event = EventFactory(cite=world.cite, organised_by=world.ft, counted_total=30)
    sign_in(page, live_server, world.steering)
    page.goto(f"{live_server.url}/partenariat/evenements/{event.pk}/")
    page.get_by_text("Votre rôle ne donne pas accès à leur identité.").wait_for()
    assert_accessible(page)
