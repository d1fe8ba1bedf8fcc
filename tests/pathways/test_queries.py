from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from citemploi.core.models import AuditEvent
from citemploi.pathways import queries
from citemploi.pathways.models import BarrierRecord
from citemploi.people.queries import beneficiaries_for
from citemploi.people.risks import risk_signals, risks_for
from tests.factories import ctx_for
from tests.pathways.helpers import action, barrier, followed_by_ft, objective


@pytest.fixture
def person(world):
    return followed_by_ft(world)


@pytest.fixture
def diagnostic(world, person):
    housing = barrier(world, person, code="logement")
    health = barrier(world, person, code="sante-handicap")
    obj = objective(world, person, title="Trouver un logement", barriers=[housing])
    secret = objective(world, person, title="Reconnaissance du handicap", barriers=[health])
    action(world, obj, title="Dossier logement social")
    action(world, secret, title="Dossier MDPH")
    return housing, health


def codes(ctx, person):
    return sorted(r.barrier for r in queries.barriers_of(queries.access_pathway_for(ctx, person.pk)))


def test_sensitive_barriers_and_their_plan_only_for_the_responsible_referent(world, person, diagnostic):
    assert codes(ctx_for(world.referent_ft), person) == ["logement", "sante-handicap"]
    for membership in (world.coordinator, world.referent_ml):
        ctx = ctx_for(membership)
        assert codes(ctx, person) == ["logement"]
        pathway = queries.access_pathway_for(ctx, person.pk)
        assert [o.title for o in queries.objectives_of(pathway)] == ["Trouver un logement"]
        assert [a.title for a in queries.actions_of(pathway)] == ["Dossier logement social"]
        with pytest.raises(Http404):
            queries.access_barrier_for(pathway, diagnostic[1].pk)
        # counts included
        summary = queries.panel_summary(ctx, person)
        assert summary["barriers_total"] == 1
        assert summary["actions_total"] == 1
        assert summary["open_labels"] == ["Logement"]
    summary = queries.panel_summary(ctx_for(world.referent_ft), person)
    assert summary["barriers_total"] == 2
    assert summary["actions_total"] == 2


def test_reads_are_audited_and_sensitive_reads_have_their_own_code(world, person, diagnostic):
    ctx = ctx_for(world.referent_ft)
    pathway = queries.access_pathway_for(ctx, person.pk)
    queries.log_sensitive_read(ctx, pathway, list(queries.barriers_of(pathway)))
    assert AuditEvent.objects.filter(code="beneficiary.read", beneficiary_id=person.pk).exists()
    assert AuditEvent.objects.filter(code="pathway.sensitive_read", beneficiary_id=person.pk).count() == 1


def test_other_cite_gets_404_and_aggregate_roles_are_refused(world, person, diagnostic):
    for membership in (world.other_referent, world.other_coordinator):
        with pytest.raises(Http404):
            queries.access_pathway_for(ctx_for(membership), person.pk)
        assert queries.panel_summary(ctx_for(membership), person) is None
    for membership in (world.steering, world.reviewer, world.holder, world.national, world.partner_member_ft):
        with pytest.raises(PermissionDenied):
            queries.access_pathway_for(ctx_for(membership), person.pk)
        assert queries.panel_summary(ctx_for(membership), person) is None
    with pytest.raises(Http404):
        queries.access_pathway_for(ctx_for(world.referent_ft), "abc")


def test_a_followup_member_loses_the_pathway_when_consent_is_withdrawn(world, person, diagnostic):
    person.consents.update(withdrawn_on=timezone.localdate())
    with pytest.raises(Http404):
        queries.access_pathway_for(ctx_for(world.referent_ml), person.pk)


def test_unaddressed_barrier_risk_signal(world, person):
    today = timezone.localdate()
    old = barrier(world, person, code="mobilite", identified_on=today - timedelta(days=31))
    barrier(world, person, code="logement", identified_on=today - timedelta(days=29))
    other = followed_by_ft(world)
    refused = barrier(world, other, code="numerique")
    BarrierRecord.objects.filter(pk=refused.pk).update(state="not_addressed")
    secret = followed_by_ft(world)
    barrier(world, secret, code="sante-handicap", identified_on=today - timedelta(days=60))
    signal = next(s for s in risk_signals() if s.code == "unaddressed_barrier")
    assert signal.label == "Frein non traité"
    ctx = ctx_for(world.referent_ft)
    found = signal.find(ctx, beneficiaries_for(ctx))
    assert found == {
        person.pk: ["Mobilité : identifié il y a 31 jours, aucune action engagée"],
        other.pk: ["Compétences numériques : marqué non traité"],
        secret.pk: ["Santé et/ou handicap : identifié il y a 60 jours, aucune action engagée"],
    }
    # the filter the home page paginates with raises the signal for the same people
    assert set(beneficiaries_for(ctx).filter(signal.condition(ctx)).values_list("pk", flat=True)) == set(
        found
    )
    # the coordination does not learn about the sensitive barrier
    coordination = ctx_for(world.coordinator)
    assert set(signal.find(coordination, beneficiaries_for(coordination))) == {person.pk, other.pk}
    in_filter = beneficiaries_for(coordination).filter(signal.condition(coordination))
    assert set(in_filter.values_list("pk", flat=True)) == {person.pk, other.pk}
    # an engaged action clears the signal; the queryset given is only filtered
    action(world, objective(world, person, barriers=[old]))
    assert person.pk not in signal.find(ctx, beneficiaries_for(ctx))
    assert signal.find(ctx, beneficiaries_for(ctx).filter(pk=other.pk)) == {
        other.pk: ["Compétences numériques : marqué non traité"]
    }
    assert other.pk in risks_for(ctx, beneficiaries_for(ctx))


def test_the_file_panel_reads_in_four_queries_whatever_the_pathway(
    world, person, diagnostic, django_assert_num_queries
):
    ctx = ctx_for(world.referent_ft)
    with django_assert_num_queries(4):
        queries.panel_summary(ctx, person)
    for code in ("mobilite", "numerique", "precarite-financiere"):
        action(world, objective(world, person, barriers=[barrier(world, person, code=code)]))
    with django_assert_num_queries(4):
        summary = queries.panel_summary(ctx, person)
    assert summary["barriers_total"] == 5
