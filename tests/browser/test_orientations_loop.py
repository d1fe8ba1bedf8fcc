"""The closed loop in a browser: a référent orients a person, the receiving structure accepts in the platform,
the référent sees the answer; and a structure without account refuses through its single-use link."""

import re

import pytest
from django.core import mail

from citemploi.orientations.models import Orientation
from tests.browser.conftest import assert_accessible, sign_in
from tests.orientations.factories import followed_by_ft, sent_by_ft, service_of

pytestmark = pytest.mark.django_db(transaction=True)


def test_orient_accept_and_see_the_answer(browser, page, live_server, world):
    person = followed_by_ft(world)
    service_of(world.ml, name="Accompagnement CEJ")
    sign_in(page, live_server, world.referent_ft)
    page.goto(f"{live_server.url}/personnes/{person.pk}/")
    page.get_by_role("link", name="Orienter vers un service").click()
    page.get_by_role("heading", name="Orienter Awa DIALLO vers un service").wait_for()
    assert_accessible(page)
    page.locator("label", has_text="Accompagnement CEJ").click()
    page.get_by_label("Motif de l'orientation").fill("Jeune motivée, cherche un accompagnement intensif.")
    page.locator("label", has_text="Situation professionnelle").click()
    page.get_by_role("button", name="Envoyer l'orientation").click()
    page.get_by_text("envoyée à").wait_for()
    assert_accessible(page)
    o = Orientation.objects.get()
    assert o.status == "sent" and "employment" in o.shared_groups

    receiver = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    other = receiver.new_page()
    sign_in(other, live_server, world.referent_ml)
    other.goto(f"{live_server.url}/orientations/?boite=received")
    assert_accessible(other)
    other.get_by_role("link", name=f"n° {o.pk}").click()
    assert "DIALLO" in other.content()
    assert_accessible(other)
    other.get_by_role("button", name="Accepter").click()
    other.get_by_text("acceptée").first.wait_for()
    receiver.close()

    page.goto(f"{live_server.url}/orientations/?boite=sent")
    assert "Acceptée" in page.content()
    assert_accessible(page)
    assert any(m.subject.endswith(f"n° {o.pk} a été acceptée") for m in mail.outbox)


def test_refuse_through_the_single_use_link(page, live_server, world):
    world.asso.email = "contact@asso.example.org"
    world.asso.save()
    o = sent_by_ft(world, service=service_of(world.asso, name="Atelier mobilité"))
    body = next(m.body for m in mail.outbox if "contact@asso.example.org" in m.to)
    path = re.search(r"/orientations/lien/\S+/", body).group(0)
    page.goto(f"{live_server.url}{path}")
    page.get_by_role("heading", name=re.compile("Atelier mobilité")).wait_for()
    assert_accessible(page)
    page.get_by_label("Motif du refus").select_option("no_capacity")
    page.get_by_role("button", name="Refuser l'orientation").click()
    page.get_by_role("heading", name="Réponse enregistrée").wait_for()
    assert_accessible(page)
    o.refresh_from_db()
    assert (o.status, o.refusal_reason) == ("refused", "no_capacity")
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 410 and "DIALLO" not in page.content()
