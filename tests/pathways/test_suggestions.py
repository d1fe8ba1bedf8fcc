"""Suggested services: expected lists computed by hand from the rules (theme, public, area, open, stale last)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citemploi.offer.enums import AreaKind
from citemploi.pathways import queries
from citemploi.pathways.enums import BarrierState
from citemploi.pathways.models import BarrierRecord
from tests.factories import CommuneFactory, ctx_for
from tests.offer.factories import ServiceFactory
from tests.pathways.helpers import barrier, followed_by_ft

AMIENS = "80021"


@pytest.fixture
def place(world):
    amiens = CommuneFactory(insee_code=AMIENS, name="Amiens", department="80")
    CommuneFactory(insee_code="80001", name="Abbeville", department="80")
    world.qpv.communes.add(amiens)
    world.cite.communes.add(amiens)
    world.cite.epci_siren = "248000531"
    world.cite.save(update_fields=["epci_siren"])
    return amiens


@pytest.fixture
def person(world, place):
    # a woman of about 30, registered at France Travail, two children, living in the QPV
    return followed_by_ft(
        world,
        gender="F",
        birth_date=date(date.today().year - 30, 1, 1),
        ft_registered=True,
        children_count=2,
        qpv=world.qpv,
        city="Amiens",
    )


@pytest.fixture
def directory(world, place):
    asso = world.asso
    mobility = ["mobilite--preparer-un-permis"]
    ServiceFactory(structure=asso, driving_school=True, areas=[AMIENS])
    ServiceFactory(structure=asso, name="Garage solidaire", themes=["mobilite"], stale=True)
    ServiceFactory(
        structure=asso, name="Permis pour tous (département)", themes=mobility, areas=[("departement", "80")]
    )
    ServiceFactory(
        structure=asso,
        name="Cours de vélo pour femmes",
        themes=["mobilite--apprendre-a-utiliser-un-deux-roues"],
        publics=["femmes"],
        areas=[(AreaKind.EPCI, "248000531")],
    )
    # not for her: young people only, seniors only, another commune, closed, another cité's structure
    ServiceFactory(structure=asso, name="Mobilité jeunes", themes=mobility, publics=["jeunes"])
    ServiceFactory(structure=asso, name="Mobilité seniors", themes=mobility, publics=["seniors"])
    ServiceFactory(structure=asso, name="Scooters d'Abbeville", themes=mobility, areas=["80001"])
    ServiceFactory(structure=asso, name="Ancien dispositif", themes=mobility, expired=True)
    ServiceFactory(structure=world.other_structure, name="Permis au Mans", themes=mobility)
    # other barriers
    ServiceFactory(structure=world.ml, childcare=True)
    ServiceFactory(structure=world.ml, french_course=True)
    ServiceFactory(structure=world.ml, name="Logement d'abord", themes=["logement-hebergement"])


def names(suggestion):
    return [s.name for s in suggestion.services]


def test_services_that_lift_each_open_barrier_for_this_person(world, person, directory):
    for code in ("mobilite", "contraintes-familiales", "langue-francaise", "numerique"):
        barrier(world, person, code=code)
    lifted = barrier(world, person, code="logement")
    BarrierRecord.objects.filter(pk=lifted.pk).update(state=BarrierState.LIFTED)
    ctx = ctx_for(world.referent_ft)
    pathway = queries.access_pathway_for(ctx, person.pk)
    result = queries.suggestions_for(ctx, pathway, list(queries.barriers_of(pathway)))
    assert list(result.by_barrier) == ["numerique", "contraintes-familiales", "mobilite", "langue-francaise"]
    assert names(result.by_barrier["mobilite"]) == [
        "Auto-école sociale",
        "Cours de vélo pour femmes",
        "Permis pour tous (département)",
        "Garage solidaire",  # stale: last
    ]
    assert names(result.by_barrier["contraintes-familiales"]) == [
        "Crèche à vocation d'insertion professionnelle"
    ]
    assert names(result.by_barrier["langue-francaise"]) == ["Atelier de français à visée professionnelle"]
    assert names(result.by_barrier["numerique"]) == []
    driving = result.by_barrier["mobilite"].services[0]
    assert (driving.capacity, driving.waiting_list) == (12, 5)
    assert result.place_known


def test_without_a_known_commune_only_wide_areas_are_suggested(world, place, directory):
    person = followed_by_ft(world, gender="F", birth_date=date(date.today().year - 30, 1, 1))
    barrier(world, person, code="mobilite")
    ctx = ctx_for(world.referent_ft)
    pathway = queries.access_pathway_for(ctx, person.pk)
    result = queries.suggestions_for(ctx, pathway, list(queries.barriers_of(pathway)))
    assert not result.place_known
    # the commune and département services are left out; no-area services of partners and the EPCI stay
    assert names(result.by_barrier["mobilite"]) == ["Cours de vélo pour femmes", "Garage solidaire"]


def test_a_bounded_number_of_queries_whatever_the_number_of_barriers(world, person, directory):
    ctx = ctx_for(world.referent_ft)
    barrier(world, person, code="mobilite")
    pathway = queries.access_pathway_for(ctx, person.pk)
    records = list(queries.barriers_of(pathway))
    with CaptureQueriesContext(connection) as one:
        queries.suggestions_for(ctx, pathway, records)
    for code in (
        "contraintes-familiales",
        "langue-francaise",
        "numerique",
        "logement",
        "precarite-financiere",
    ):
        barrier(world, person, code=code)
    pathway = queries.access_pathway_for(ctx, person.pk)
    records = list(queries.barriers_of(pathway))
    with CaptureQueriesContext(connection) as six:
        result = queries.suggestions_for(ctx, pathway, records)
    assert len(result.by_barrier) == 6
    # the cité, the QPV's communes, the sensitive rule and attributes (for the disability public), the
    # services and their themes
    assert len(six) == len(one) == 6
