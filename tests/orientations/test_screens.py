"""The screens: lists with tabs and filters (pinned query counts), creation from a file, answers, settings."""

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citemploi.orientations.models import Orientation, OrientationSettings
from tests.conftest import login_as
from tests.orientations.factories import followed_by_ft, moved, sent_by_ft, service_of


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_lists_have_a_constant_number_of_queries(client, world):
    sent_by_ft(world)
    login_as(client, world.referent_ft)
    few = _queries(client, "/orientations/?boite=sent")
    for _ in range(4):
        sent_by_ft(world)
    assert _queries(client, "/orientations/?boite=sent") == few
    login_as(client, world.referent_ml)
    received = _queries(client, "/orientations/?boite=received")
    sent_by_ft(world)
    assert _queries(client, "/orientations/?boite=received") == received
    assert few <= 14 and received <= 14


def test_tabs_and_state_filter(client, world):
    accepted = moved(world, sent_by_ft(world), "accepted")
    waiting = sent_by_ft(world)
    login_as(client, world.referent_ml)
    page = client.get("/orientations/?boite=received").content.decode()
    assert "Reçues" in page and f"n° {waiting.pk}" in page and f"n° {accepted.pk}" in page
    filtered = client.get("/orientations/?boite=received&etat=sent").content.decode()
    assert f"n° {waiting.pk}<" in filtered and f"n° {accepted.pk}<" not in filtered
    login_as(client, world.partner_member_ft)
    assert "Aucune orientation" in client.get("/orientations/").content.decode()


def test_create_prefilled_from_the_pathway_link(client, world, django_capture_on_commit_callbacks):
    person = followed_by_ft(world)
    service = service_of(world.ml, name="Permis solidaire")
    service_of(world.ft, name="Service de France Travail")
    login_as(client, world.referent_ft)
    url = f"/orientations/nouvelle/?beneficiary={person.pk}&service={service.pk}"
    page = client.get(url).content.decode()
    assert "Permis solidaire" in page and "checked" in page
    assert "Service de France Travail" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "beneficiary": person.pk,
                "service": service.pk,
                "message": "Besoin du permis.",
                "shared_groups": ["mobility", "family"],
            },
        )
    o = Orientation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orientations/{o.pk}/"
    assert o.shared_groups == ["identity", "contact", "family", "mobility"]
    assert len(mail.outbox) == 1


def test_create_without_consent_shows_the_error_and_writes_nothing(client, world):
    from tests.factories import BeneficiaryFactory

    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, referent=world.referent_ft.user
    )
    service = service_of(world.ml)
    login_as(client, world.referent_ft)
    response = client.post(
        f"/orientations/nouvelle/?beneficiary={person.pk}",
        {"beneficiary": person.pk, "service": service.pk, "message": "Atelier."},
    )
    assert response.status_code == 200
    assert "consenti au partage" in response.content.decode()
    assert not Orientation.objects.exists()


def test_create_search_by_barrier(client, world):
    person = followed_by_ft(world)
    service_of(world.ml, driving_school=True)
    service_of(world.asso, childcare=True)
    login_as(client, world.referent_ft)
    page = client.get(f"/orientations/nouvelle/?beneficiary={person.pk}&frein=mobilite").content.decode()
    assert "Auto-école sociale" in page and "Crèche" not in page


def test_create_for_a_person_out_of_reach_is_404(client, world):
    person = followed_by_ft(world)
    login_as(client, world.referent_ml)
    assert client.get(f"/orientations/nouvelle/?beneficiary={person.pk}").status_code == 404
    login_as(client, world.partner_member_ft)
    assert client.get(f"/orientations/nouvelle/?beneficiary={person.pk}").status_code == 403
    login_as(client, world.other_coordinator)
    assert client.get(f"/orientations/nouvelle/?beneficiary={person.pk}").status_code == 404


def test_answer_in_the_platform_and_the_sender_sees_it(client, world):
    o = sent_by_ft(world)
    login_as(client, world.referent_ml)
    page = client.get(f"/orientations/{o.pk}/").content.decode()
    assert "Accepter" in page and "Retirer l'orientation" not in page
    response = client.post(
        f"/orientations/{o.pk}/reponse/", {"target": "accepted", "expected_status": "sent"}
    )
    assert response.status_code == 302
    second = client.post(
        f"/orientations/{o.pk}/reponse/",
        {"target": "refused", "refusal_reason": "no_capacity", "expected_status": "sent"},
        follow=True,
    )
    assert "a changé entre-temps" in second.content.decode()
    login_as(client, world.referent_ft)
    listing = client.get("/orientations/?boite=sent").content.decode()
    assert "Acceptée" in listing
    detail = client.get(f"/orientations/{o.pk}/").content.decode()
    assert "Accepter" not in detail and world.referent_ml.user.get_full_name() in detail


def test_withdraw_by_the_sender(client, world):
    o = sent_by_ft(world)
    login_as(client, world.referent_ft)
    client.post(f"/orientations/{o.pk}/retrait/", {"reason": "Emploi trouvé", "expected_status": "sent"})
    assert Orientation.objects.get(pk=o.pk).status == "withdrawn"


def test_settings_screen(client, world):
    login_as(client, world.coordinator)
    assert client.get("/orientations/parametres/").status_code == 200
    response = client.post(
        "/orientations/parametres/", {"answer_delay_days": 15, "reminder_days_before": 3, "version": 1}
    )
    assert response.status_code == 302
    assert OrientationSettings.objects.get(cite=world.cite).answer_delay_days == 15
    bad = client.post(
        "/orientations/parametres/", {"answer_delay_days": 2, "reminder_days_before": 3, "version": 2}
    )
    assert "moins de jours que le délai" in bad.content.decode()


def test_file_panel_on_the_person_file(client, world):
    person = followed_by_ft(world)
    o = sent_by_ft(world, person=person)
    login_as(client, world.referent_ft)
    page = client.get(f"/personnes/{person.pk}/").content.decode()
    assert "Orienter vers un service" in page and f"n° {o.pk}" in page


def test_the_htmx_partial_is_the_results_block_of_the_full_page(client, world):
    sent_by_ft(world)
    login_as(client, world.referent_ft)
    full = client.get("/orientations/?boite=sent&etat=sent").content.decode()
    partial = client.get(
        "/orientations/?boite=sent&etat=sent", headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.strip().startswith('<div id="resultats">')
    assert partial.strip() in full


def test_the_api_list_has_a_constant_number_of_queries(world, api_client_for):
    api = api_client_for(world.referent_ml)
    sent_by_ft(world)
    api.get("/orientations")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert api.get("/orientations", {"box": "received"}).status_code == 200
    for _ in range(3):
        sent_by_ft(world)
    with CaptureQueriesContext(connection) as more:
        assert len(api.get("/orientations", {"box": "received"}).json()["results"]) == 4
    assert len(few) == len(more) <= 8
