"""Who sees what: the receiver reads only the snapshot, others get 404, a sensitive sender stays hidden."""

import pytest
from django.http import Http404
from django.utils import timezone

from citemploi.core.models import AuditEvent
from citemploi.orientations import queries, services
from citemploi.orientations.extensions import file_panel, network_pairs, unanswered, unanswered_condition
from citemploi.people.models import Beneficiary
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory, ctx_for, member, with_sharing_consent
from tests.orientations.factories import followed_by_ft, sent_by_ft, service_of


def test_the_receiver_reads_the_snapshot_not_the_file(client, world):
    o = sent_by_ft(world)
    login_as(client, world.referent_ml)
    page = client.get(f"/orientations/{o.pk}/").content.decode()
    assert "DIALLO" in page and "awa.diallo@example.org" in page
    assert f"/personnes/{o.beneficiary_id}/" not in page
    assert client.get(f"/personnes/{o.beneficiary_id}/").status_code == 404
    event = AuditEvent.objects.filter(code="orientation.read").last()
    assert (event.actor_id, event.beneficiary_id) == (world.referent_ml.user_id, o.beneficiary_id)


def test_the_sender_side_opens_the_file(client, world):
    o = sent_by_ft(world)
    for persona in (world.referent_ft, world.coordinator):
        login_as(client, persona)
        assert f"/personnes/{o.beneficiary_id}/" in client.get(f"/orientations/{o.pk}/").content.decode()


@pytest.mark.parametrize("persona", ["other_referent", "other_coordinator", "steering", "national"])
def test_other_cites_and_roles_get_nothing(client, world, persona):
    o = sent_by_ft(world)
    login_as(client, getattr(world, persona))
    assert client.get(f"/orientations/{o.pk}/").status_code in (403, 404)
    assert o.pk not in queries.orientations_for(ctx_for(getattr(world, persona))).values_list("pk", flat=True)


def test_a_third_structure_gets_404(client, world):
    o = sent_by_ft(world)
    third = member(world.cite, "referent", world.asso)
    login_as(client, third)
    assert client.get(f"/orientations/{o.pk}/").status_code == 404
    with pytest.raises(Http404):
        queries.access_orientation_for(ctx_for(third), o.pk)


def test_a_partner_member_of_the_sending_structure_does_not_see_sent_orientations(world):
    o = sent_by_ft(world)
    assert not queries.orientations_for(ctx_for(world.partner_member_ft)).filter(pk=o.pk).exists()


def test_withdrawn_consent_stops_the_receiver_reading_the_snapshot(client, world):
    o = sent_by_ft(world)
    o.beneficiary.consents.update(withdrawn_on=timezone.localdate())
    login_as(client, world.referent_ml)
    page = client.get(f"/orientations/{o.pk}/").content.decode()
    assert "DIALLO" not in page and "retiré son consentement" in page
    login_as(client, world.referent_ft)
    assert "awa.diallo@example.org" in client.get(f"/orientations/{o.pk}/").content.decode()


@pytest.fixture
def from_spip(world):
    """An orientation sent by the SPIP (a sensitive structure) to the Mission locale."""
    spip_referent = member(world.cite, "referent", world.spip)
    person = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.spip, referent=spip_referent.user, last_name="Martin"
    )
    with_sharing_consent(person)
    o = services.send_orientation(
        ctx=ctx_for(spip_referent),
        beneficiary=person,
        service=service_of(world.ml),
        message="Recherche d'un accompagnement vers l'emploi.",
    ).orientation
    return o, spip_referent


def test_a_sensitive_sender_is_shown_as_a_partner_of_the_cite(client, world, from_spip):
    o, spip_referent = from_spip
    login_as(client, world.referent_ml)
    page = client.get(f"/orientations/{o.pk}/").content.decode()
    assert "Un partenaire de la cité" in page
    assert world.spip.name not in page and spip_referent.user.get_full_name() not in page
    listing = client.get("/orientations/?boite=received").content.decode()
    assert "MARTIN" in listing and world.spip.name not in listing
    login_as(client, spip_referent)
    assert world.spip.name in client.get(f"/orientations/{o.pk}/").content.decode()


def test_a_sensitive_sender_is_hidden_in_the_api_and_the_network(world, from_spip, api_client_for):
    o, _ = from_spip
    body = api_client_for(world.referent_ml).get(f"/orientations/{o.pk}").json()
    assert body["sender_structure"] == {"id": None, "name": "Un partenaire de la cité"}
    assert world.spip.name not in str(body)
    assert network_pairs(world.cite.pk) == {}
    sent_by_ft(world)
    assert network_pairs(world.cite.pk) == {tuple(sorted((world.ft.pk, world.ml.pk))): 1}


def test_orientations_to_a_sensitive_structure_are_seen_by_their_sender_only(world):
    world.spip.email = "accueil@spip.example.org"
    world.spip.save()
    o = sent_by_ft(world, service=service_of(world.spip))
    colleague = member(world.cite, "referent", world.ft)
    assert queries.orientations_for(ctx_for(world.referent_ft)).filter(pk=o.pk).exists()
    assert not queries.orientations_for(ctx_for(colleague)).filter(pk=o.pk).exists()
    assert not queries.orientations_for(ctx_for(world.coordinator)).filter(pk=o.pk).exists()
    assert network_pairs(world.cite.pk) == {}


def test_the_file_panel_lists_visible_orientations_in_constant_queries(world, django_assert_num_queries):
    person = followed_by_ft(world)
    for _ in range(3):
        sent_by_ft(world, person=person)
    ctx = ctx_for(world.referent_ft)
    with django_assert_num_queries(2):
        panel = file_panel(ctx, person)
    assert len(panel["rows"]) == 3 and panel["can_send"]
    assert file_panel(ctx_for(world.steering), person) is None


def test_risk_signal_unanswered(world):
    from datetime import timedelta

    now = timezone.now()
    late = followed_by_ft(world, first_name="Lina")
    fresh = followed_by_ft(world, first_name="Yanis")
    expired_then_new = followed_by_ft(world, first_name="Sami")
    o_late = sent_by_ft(world, person=late, now=now - timedelta(days=9))
    sent_by_ft(world, person=fresh)
    old = sent_by_ft(world, person=expired_then_new, now=now - timedelta(days=12))
    lost = followed_by_ft(world, first_name="Inès")
    o_lost = sent_by_ft(world, person=lost, now=now - timedelta(days=12))
    services.expire_overdue()
    sent_by_ft(world, person=expired_then_new)
    people = Beneficiary.objects.filter(cite=world.cite)
    found = unanswered(ctx_for(world.referent_ft), people)
    assert set(found) == {late.pk, lost.pk}
    assert f"n° {o_late.pk}" in found[late.pk][0] and "sans réponse" in found[late.pk][0]
    assert f"n° {o_lost.pk}" in found[lost.pk][0] and "expirée" in found[lost.pk][0]
    assert old.pk not in [o_late.pk, o_lost.pk]
    # the filter the home page paginates with raises the signal for the same people
    raised = people.filter(unanswered_condition(ctx_for(world.referent_ft)))
    assert set(raised.values_list("pk", flat=True)) == {late.pk, lost.pk}
    # Another structure's référent, whose people queryset is empty, gets nothing.
    assert unanswered(ctx_for(world.referent_ml), Beneficiary.objects.none()) == {}
