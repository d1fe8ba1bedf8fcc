import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from citemploi.core.models import AuditEvent
from citemploi.pathways import queries, services
from citemploi.pathways.models import HandOver
from tests.factories import ctx_for, member
from tests.pathways.helpers import barrier, followed_by_ft


@pytest.fixture
def person(world):
    return followed_by_ft(world)


def hand(world, person, to, by=None, **kwargs):
    kwargs.setdefault("reason", "La personne a déménagé près de la Mission locale")
    kwargs.setdefault("consent_given_on", timezone.localdate())
    kwargs.setdefault("consent_method", "oral")
    return services.hand_over(
        ctx=ctx_for(by or world.referent_ft), beneficiary=person, to_structure=to, **kwargs
    )


def test_consent_and_reason_are_required_and_nothing_changes_without_them(world, person):
    with pytest.raises(ValidationError) as exc:
        hand(world, person, world.ml, consent_given_on=None, consent_method="", reason=" ")
    assert set(exc.value.message_dict) == {"consent_given_on", "consent_method", "reason"}
    with pytest.raises(ValidationError, match="futur"):
        hand(world, person, world.ml, consent_given_on=timezone.localdate() + timezone.timedelta(days=1))
    person.refresh_from_db()
    assert person.responsible_structure == world.ft
    assert not HandOver.objects.exists()


def test_hand_over_to_another_structure_keeps_the_history_and_moves_access(world, person):
    record = barrier(world, person)
    referent_ml = world.referent_ml
    h = hand(world, person, world.ml, to_referent=referent_ml.user, consent_method="written")
    person.refresh_from_db()
    assert (person.responsible_structure, person.referent) == (world.ml, referent_ml.user)
    assert person.version == 2
    assert (h.from_structure, h.from_referent, h.to_structure, h.by) == (
        world.ft,
        world.referent_ft.user,
        world.ml,
        world.referent_ft.user,
    )
    assert (h.consent_method, h.consent_given_on) == ("written", timezone.localdate())
    event = AuditEvent.objects.get(code="beneficiary.handover")
    assert event.changes["responsible_structure"] == [world.ft.name, world.ml.name]
    assert event.changes["referent"] == [str(world.referent_ft.user), str(referent_ml.user)]
    # the Mission locale left the follow-up group: it is now responsible, and writes the pathway
    assert not person.followup_members.filter(structure=world.ml, ended_at__isnull=True).exists()
    services.transition_barrier(ctx=ctx_for(referent_ml), record=record, to_state="action_engaged")
    # France Travail is neither responsible nor in the group: it loses access
    with pytest.raises(Http404):
        queries.access_pathway_for(ctx_for(world.referent_ft), person.pk)
    # the diagnostic stays with the person
    assert queries.barriers_of(queries.access_pathway_for(ctx_for(referent_ml), person.pk)).count() == 1


def test_the_former_structure_may_stay_in_the_followup_group(world, person):
    hand(world, person, world.asso, keep_in_followup=True)
    ft = ctx_for(world.referent_ft)
    assert queries.access_pathway_for(ft, person.pk)  # reads, through the group and the consent to sharing
    with pytest.raises(PermissionDenied):
        services.add_barrier(ctx=ft, beneficiary=person, barrier="logement")
    assert HandOver.objects.get().kept_in_followup


def test_hand_over_to_another_referent_of_the_same_structure(world, person):
    colleague = member(world.cite, "referent", world.ft)
    hand(world, person, world.ft, to_referent=colleague.user, reason="Changement de portefeuille")
    person.refresh_from_db()
    assert person.referent == colleague.user
    with pytest.raises(ValidationError, match="déjà suivie"):
        hand(world, person, world.ft, by=colleague, to_referent=colleague.user)
    with pytest.raises(ValidationError, match="pas référente"):
        hand(world, person, world.ft, by=colleague, to_referent=world.referent_ml.user)


def test_who_may_hand_over_and_to_whom(world, person):
    with pytest.raises(ValidationError, match="pas partenaire"):
        hand(world, person, world.other_structure)
    with pytest.raises(PermissionDenied):
        hand(world, person, world.asso, by=world.referent_ml)  # follow-up group member, not responsible
    with pytest.raises(PermissionDenied):
        hand(world, person, world.asso, by=world.steering)
    hand(world, person, world.asso, by=world.coordinator)
    person.refresh_from_db()
    assert person.responsible_structure == world.asso
    assert person.referent is None
