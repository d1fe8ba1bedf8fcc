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
    # the page has the funnel's section and the outcomes' one (« Sorties et maintien »): take the funnel's
    funnel = {
        b.indicator.code: b for s in response.context["sections"] if s.key == "cohortes" for b in s.blocks
    }["cohorts.funnel"]
    assert funnel.shown.cells[("integrated_stock", "all")] == 2
    assert funnel.shown.cells[("proposed", "all")] == 2
    other_cite = Cohort.objects.create(
        cite=world.other_cite, name="Ailleurs", start_date=date(2026, 1, 1), target_size=5
    )
    assert client.get(reverse("reporting:cohort", args=[other_cite.pk])).status_code == 404


def test_share_with_a_solution_per_cohort(world):
    from citemploi.tracking.enums import OutcomeType
    from citemploi.tracking.models import Outcome

    def outcome(member, kind, day):
        Outcome.objects.create(
            beneficiary=member.beneficiary, type=kind, outcome_on=day, recorded_by=world.coordinator.user
        )

    a = Cohort.objects.create(cite=world.cite, name="A", start_date=date(2026, 1, 1), target_size=20)
    b = Cohort.objects.create(cite=world.cite, name="B", start_date=date(2026, 1, 1), target_size=20)
    P, IN = MemberState.PROPOSED, MemberState.INTEGRATED

    def integrated(cohort, day):
        return _member(world, cohort, [(P, date(2026, 1, 2)), (IN, day)], integrated_on=day)

    p1 = integrated(a, date(2026, 1, 10))
    outcome(p1, OutcomeType.SUSTAINABLE_JOB, date(2026, 3, 1))  # solution after integration
    p2 = integrated(a, date(2026, 2, 1))
    outcome(p2, OutcomeType.NO_SOLUTION, date(2026, 4, 1))  # exit without solution: not a solution
    p3 = integrated(a, date(2026, 5, 1))
    outcome(p3, OutcomeType.QUALIFYING_TRAINING, date(2026, 4, 20))  # before integration
    p4 = integrated(a, date(2026, 7, 5))  # integrated after the end
    outcome(p4, OutcomeType.SUSTAINABLE_JOB, date(2026, 7, 10))
    p5 = integrated(a, date(2026, 3, 1))
    outcome(p5, OutcomeType.TRANSITION_JOB, date(2026, 7, 2))  # after the end
    p6 = integrated(a, date(2026, 6, 1))
    outcome(p6, OutcomeType.CIVIC_SERVICE, date(2026, 6, 30))  # on the last day
    _member(world, a, [(P, date(2026, 2, 1))])  # proposed only, never integrated
    # p1 is also integrated in B on 1 April: their job of 1 March is before, no solution in B
    CohortMember.objects.create(
        cohort=b,
        beneficiary=p1.beneficiary,
        proposing_structure=world.ft,
        proposed_on=date(2026, 3, 20),
        state=IN,
        integrated_on=date(2026, 4, 1),
    )
    q = Query((world.cite.pk,), Period.quarter(2026, 2), Cut.COHORT)
    people = REGISTRY["cohorts.solution_people"].run(q)
    # A: integrated by 30 June p1, p2, p3, p5, p6 = 5; with a solution p1, p6 = 2
    assert people.value("integrated", str(a.pk)) == 5
    assert people.value("with_solution", str(a.pk)) == 2
    # B: p1 only, no solution since 1 April
    assert people.value("integrated", str(b.pk)) == 1
    assert people.value("with_solution", str(b.pk)) == 0
    share = REGISTRY["cohorts.solution_share"].run(q)
    assert share.value("share", str(a.pk)) == 40.0  # 2 / 5
    assert share.value("share", str(b.pk)) == 0.0  # 0 / 1
    overall = REGISTRY["cohorts.solution_share"].run(Query((world.cite.pk,), Period.quarter(2026, 2)))
    # distinct people: p1, p2, p3, p5, p6 = 5, with a solution p1 (in A), p6 = 2 → 40 %
    assert overall.value("share", "all") == 40.0
