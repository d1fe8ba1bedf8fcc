import pytest
from django.core import mail

from citemploi.accounts.models import User
from citemploi.core.models import AuditEvent
from citemploi.partners.models import Membership, Structure
from tests.conftest import login_as

pytestmark = pytest.mark.django_db


def test_coordinator_creates_a_structure_with_its_partnership(client, world):
    login_as(client, world.coordinator)
    response = client.post(
        "/partenaires/nouvelle/",
        {
            "name": "SPIP de la Somme",
            "kind": "justice",
            "role": "support",
            "cooperation_format": "coordination",
            "qpvs": [world.qpv.pk],
        },
    )
    structure = Structure.objects.get(name="SPIP de la Somme")
    assert response.status_code == 302
    assert structure.sensitive is True  # justice structures are sensitive by default
    assert structure.partnerships.get().cite == world.cite
    assert AuditEvent.objects.filter(code="structure.create", object_id=str(structure.pk)).exists()


def test_list_is_scoped_to_the_cite(client, world):
    login_as(client, world.coordinator)
    body = client.get("/partenaires/").content.decode()
    assert world.ft.name in body and world.other_structure.name not in body
    assert client.get(f"/partenaires/{world.other_structure.pk}/").status_code == 404


def test_referent_edits_only_their_own_structure(client, world):
    login_as(client, world.referent_ft)
    ok = client.post(
        f"/partenaires/{world.ft.pk}/modifier/",
        {"name": world.ft.name, "kind": world.ft.kind, "phone": "0399000000", "version": "1"},
    )
    assert ok.status_code == 302
    world.ft.refresh_from_db()
    assert world.ft.phone == "0399000000"
    assert client.get(f"/partenaires/{world.ml.pk}/modifier/").status_code == 404


def test_stale_structure_edit_is_refused(client, world):
    login_as(client, world.coordinator)
    data = {
        "name": "Nouveau nom",
        "kind": world.ft.kind,
        "version": "1",
        "role": "spe",
        "cooperation_format": "concertation",
    }
    assert client.post(f"/partenaires/{world.ft.pk}/modifier/", data).status_code == 302
    again = client.post(f"/partenaires/{world.ft.pk}/modifier/", data | {"name": "Autre nom"})
    assert again.status_code == 200 and "modifiée entre-temps" in again.content.decode()


def test_coordinator_invites_a_new_member_by_email(client, world):
    login_as(client, world.coordinator)
    with pytest.MonkeyPatch.context():
        response = client.post(
            f"/partenaires/{world.ml.pk}/membres/",
            {
                "email": "Nouvelle.Conseillere@example.org",
                "first_name": "Inès",
                "last_name": "Roux",
                "role": "referent",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="nouvelle.conseillere@example.org")
    assert not user.has_usable_password()
    assert Membership.objects.filter(user=user, structure=world.ml, cite=world.cite, role="referent").exists()
    assert len(mail.outbox) == 1 and "/mot-de-passe/choix/" in mail.outbox[0].body


def test_member_of_another_cite_cannot_be_removed(client, world):
    login_as(client, world.coordinator)
    response = client.post(f"/partenaires/{world.ft.pk}/membres/{world.other_referent.pk}/retrait/")
    assert response.status_code == 404
    world.other_referent.refresh_from_db()
    assert world.other_referent.is_active


def test_qpv_veille_active_is_recorded_by_coordinator(client, world):
    login_as(client, world.coordinator)
    response = client.post(f"/qpv/{world.qpv.code}/modifier/", {"veille_active": "on", "population": "6500"})
    assert response.status_code == 302
    world.qpv.refresh_from_db()
    assert world.qpv.veille_active and world.qpv.population == 6500
    assert "veille active" in client.get("/qpv/").content.decode()


def test_audit_log_lists_the_cite_events_only(client, world):
    from tests.factories import BeneficiaryFactory

    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    other = BeneficiaryFactory(cite=world.other_cite, responsible_structure=world.other_structure)
    login_as(client, world.other_coordinator)
    client.get(f"/personnes/{other.pk}/")
    login_as(client, world.coordinator)
    client.get(f"/personnes/{person.pk}/")
    body = client.get("/journal/?code=beneficiary.read").content.decode()
    assert str(world.coordinator.user) in body and str(world.other_coordinator.user) not in body


def test_choose_context_rejects_a_membership_of_someone_else(client, world):
    client.force_login(world.coordinator.user)
    response = client.post("/contexte/", {"membership": world.other_coordinator.pk})
    assert response.status_code == 200 and "Choisissez" in response.content.decode()
    ok = client.post("/contexte/", {"membership": world.coordinator.pk, "next": "https://evil.example.org/"})
    assert ok["Location"] == "/"


def test_health_endpoints_need_no_login(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["database"] == "ok"


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/personnes/")
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
