"""Cohort funnel on a hand-computed data set."""

from datetime import date

import pytest

from citemploi.cohorts.enums import MemberState
from citemploi.cohorts.models import Cohort, CohortMember, MemberTransition
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

MARCH = Period.month(2026, 3)


def _member(world, cohort, moves, *, integrated_on=None, exited_on=None, structure=None):
    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    member = CohortMember.objects.create(
        cohort=cohort,
        beneficiary=person,
        proposing_structure=structure or world.ft,
        proposed_on=moves[0][1],
        state=moves[-1][0],
        integrated_on=integrated_on,
        exited_on=exited_on,
    )
    for state, day in moves:
        MemberTransition.objects.create(
            member=member, to_state=state, effective_on=day, actor_label="coordination"
        )
    return member


@pytest.fixture
def cohorts(world):
    cohort = Cohort.objects.create(
        cite=world.cite, name="Femmes DELD", start_date=date(2026, 1, 1), target_size=50
    )
    P, E, IN, X = MemberState.PROPOSED, MemberState.EXAMINED, MemberState.INTEGRATED, MemberState.EXITED
    # A: proposed, examined and integrated in March
    _member(
        world,
        cohort,
        [(P, date(2026, 3, 2)), (E, date(2026, 3, 10)), (IN, date(2026, 3, 10))],
        integrated_on=date(2026, 3, 10),
    )
    # B: integrated in February, exited in March
    _member(
        world,
        cohort,
        [(P, date(2026, 2, 1)), (IN, date(2026, 2, 15)), (X, date(2026, 3, 20))],
        integrated_on=date(2026, 2, 15),
        exited_on=date(2026, 3, 20),
    )
    # C: integrated in January, still in at the end of March
    _member(
        world,
        cohort,
        [(P, date(2026, 1, 5)), (IN, date(2026, 1, 20))],
        integrated_on=date(2026, 1, 20),
        structure=world.ml,
    )
    # D: proposed in March, waiting
    _member(world, cohort, [(P, date(2026, 3, 25)), (MemberState.WAITING, date(2026, 3, 31))])
    return cohort


def test_funnel(world, cohorts):
    table = REGISTRY["cohorts.funnel"].run(Query((world.cite.pk,), MARCH))
    value = lambda k: table.value(k, "all")  # noqa: E731
    # proposed in March: A, D = 2 ; examined: A ; integrated: A ; waiting: D ; exited: B ; not retained: 0
    assert (value("proposed"), value("examined"), value("integrated"), value("waiting")) == (2, 1, 1, 1)
    assert (value("exited"), value("not_retained")) == (1, 0)
    # stock integrated at 31 March: A (10 March) + C (20 January) ; B exited on 20 March = 2
    assert value("integrated_stock") == 2


def test_funnel_by_cohort_and_structure(world, cohorts):
    other = Cohort.objects.create(
        cite=world.cite, name="Jeunes CEJ", start_date=date(2026, 1, 1), target_size=20
    )
    _member(world, other, [(MemberState.PROPOSED, date(2026, 3, 3))])
    by_cohort = REGISTRY["cohorts.funnel"].run(Query((world.cite.pk,), MARCH, Cut.COHORT))
    # proposed: 2 in « Femmes DELD », 1 in « Jeunes CEJ »
    assert by_cohort.value("proposed", str(cohorts.pk)) == 2
    assert by_cohort.value("proposed", str(other.pk)) == 1
    assert dict(by_cohort.columns)[str(other.pk)] == "Jeunes CEJ"
    only = REGISTRY["cohorts.funnel"].run(Query((world.cite.pk,), MARCH, cohort_id=other.pk))
    assert only.value("proposed", "all") == 1
    ml = REGISTRY["cohorts.funnel"].run(Query((world.cite.pk,), MARCH, structure_id=world.ml.pk))
    # C was proposed by the Mission locale: in the stock only
    assert ml.value("integrated_stock", "all") == 1
    assert ml.value("proposed", "all") == 0


def test_cohort_page_shows_the_funnel_of_that_cohort(client, world, cohorts):
    from django.urls import reverse

    from tests.conftest import login_as

    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:cohort", args=[cohorts.pk]), {"periode": "2026-03"})
    assert response.status_code == 200
    [section] = response.context["sections"]
    assert section.blocks[0].shown.cells[("integrated_stock", "all")] == 2
    other_cite = Cohort.objects.create(
        cite=world.other_cite, name="Ailleurs", start_date=date(2026, 1, 1), target_size=5
    )
    assert client.get(reverse("reporting:cohort", args=[other_cite.pk])).status_code == 404
