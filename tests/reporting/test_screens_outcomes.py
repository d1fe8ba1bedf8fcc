"""Outcomes and retention on the QPV, partner structure and cohort pages: the cité dashboard's section, cut to
the page's QPV, structure or cohort, with pinned query counts."""

from datetime import date

import pytest
from django.urls import reverse

from citemploi.cohorts.enums import MemberState
from citemploi.cohorts.models import Cohort, CohortMember, MemberTransition
from citemploi.tracking.enums import OutcomeType
from citemploi.tracking.models import FollowUpCheck, Outcome
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

T1 = "2026-T1"


def _person(world, *, structure=None, qpv=True):
    return BeneficiaryFactory(
        cite=world.cite, responsible_structure=structure or world.ft, qpv=world.qpv if qpv else None
    )


def _outcome(world, person, *, on=date(2026, 2, 10), kind=OutcomeType.SUSTAINABLE_JOB, retained=None):
    outcome = Outcome.objects.create(
        beneficiary=person, type=kind, outcome_on=on, recorded_by=world.coordinator.user
    )
    if retained is not None:
        FollowUpCheck.objects.create(
            outcome=outcome,
            months=3,
            due_on=date(2026, 3, 1),
            recorded_on=date(2026, 3, 2),
            still_in_job_or_training=retained,
        )
    return outcome


@pytest.fixture
def outcomes(world):
    """In the QPV, followed by France Travail: 3 people with a job in T1, 2 still in job at 3 months, 1 not.
    Outside the QPV, followed by the mission locale: 2 people with a training, 1 still in training at 3 months.
    """
    for retained in (True, True, False):
        _outcome(world, _person(world), retained=retained)
    for retained in (True, None):
        _outcome(
            world,
            _person(world, structure=world.ml, qpv=False),
            kind=OutcomeType.QUALIFYING_TRAINING,
            retained=retained,
        )


def _section(response, key):
    return {b.indicator.code: b for s in response.context["sections"] if s.key == key for b in s.blocks}


def test_qpv_page_shows_the_outcomes_and_retention_of_its_residents(client, world, outcomes):
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:qpv", args=[world.qpv.code]), {"periode": T1})
    blocks = _section(response, "sorties")
    by_type = blocks["outcomes.by_type"].shown
    assert by_type.cells[(OutcomeType.SUSTAINABLE_JOB.value, "all")] == 3
    assert by_type.cells[(OutcomeType.QUALIFYING_TRAINING.value, "all")] == 0
    assert by_type.cells[("total", "all")] == 3
    # 2 retained out of 3 recorded checks
    assert float(blocks["outcomes.retention_rate"].shown.cells[("3", "all")]) == pytest.approx(66.7)
    html = response.content.decode()
    assert '<h2 id="sorties">Sorties et maintien</h2>' in html
    assert "Tableau de données : maintien en emploi ou en formation à 3, 6 et 12 mois" in html


def test_structure_page_shows_the_outcomes_of_the_people_it_follows(client, world, outcomes):
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:structure", args=[world.ml.pk]), {"periode": T1})
    blocks = _section(response, "sorties")
    assert blocks["outcomes.by_type"].shown.cells[("total", "all")] == 2
    assert blocks["outcomes.by_type"].shown.cells[(OutcomeType.QUALIFYING_TRAINING.value, "all")] == 2
    checks = blocks["outcomes.retention_checks"].shown
    assert (checks.cells[("3_recorded", "all")], checks.cells[("3_retained", "all")]) == (1, 1)
    assert float(blocks["outcomes.retention_rate"].shown.cells[("3", "all")]) == 100.0


def test_steering_sees_the_qpv_outcomes_through_statistical_secrecy(client, world, outcomes):
    login_as(client, world.steering)
    response = client.get(reverse("reporting:qpv", args=[world.qpv.code]), {"periode": T1})
    by_type = _section(response, "sorties")["outcomes.by_type"].shown
    assert by_type.protected
    assert by_type.cells[(OutcomeType.SUSTAINABLE_JOB.value, "all")] is None  # 3 people: under 11


@pytest.fixture
def cohort(world):
    """Three people integrated in January, one of them with a job in February (a solution), one with an
    exit without solution; a fourth person only proposed. Another cohort's member has a job too."""
    cohort = Cohort.objects.create(
        cite=world.cite, name="Jeunes Nord", start_date=date(2026, 1, 1), target_size=20
    )
    other = Cohort.objects.create(
        cite=world.cite, name="Seniors", start_date=date(2026, 1, 1), target_size=20
    )

    def member(c, state, outcome=None):
        person = _person(world)
        m = CohortMember.objects.create(
            cohort=c,
            beneficiary=person,
            proposing_structure=world.ft,
            proposed_on=date(2026, 1, 5),
            state=state,
            integrated_on=date(2026, 1, 15) if state == MemberState.INTEGRATED else None,
        )
        MemberTransition.objects.create(
            member=m, to_state=MemberState.PROPOSED, effective_on=date(2026, 1, 5), actor_label="coordination"
        )
        if state == MemberState.INTEGRATED:
            MemberTransition.objects.create(
                member=m, to_state=state, effective_on=date(2026, 1, 15), actor_label="coordination"
            )
        if outcome:
            _outcome(world, person, kind=outcome)

    member(cohort, MemberState.INTEGRATED, OutcomeType.SUSTAINABLE_JOB)
    member(cohort, MemberState.INTEGRATED, OutcomeType.NO_SOLUTION)
    member(cohort, MemberState.INTEGRATED)
    member(cohort, MemberState.PROPOSED)
    member(other, MemberState.INTEGRATED, OutcomeType.SUSTAINABLE_JOB)
    return cohort


def test_cohort_page_shows_the_share_of_its_integrated_people_with_a_solution(client, world, cohort):
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:cohort", args=[cohort.pk]), {"periode": T1})
    blocks = _section(response, "sorties")
    assert blocks["cohorts.solution_people"].shown.cells[("integrated", "all")] == 3
    assert blocks["cohorts.solution_people"].shown.cells[("with_solution", "all")] == 1
    assert float(blocks["cohorts.solution_share"].shown.cells[("share", "all")]) == pytest.approx(33.3)
    funnel = _section(response, "cohortes")["cohorts.funnel"].shown
    assert funnel.cells[("proposed", "all")] == 4
    assert '<h2 id="sorties">Sorties et maintien</h2>' in response.content.decode()


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # session, context and the page's QPV, structure or cohort, then one or two GROUP BY per indicator
        # (measured): every section on the QPV and structure pages; the funnel and the share with a
        # solution (two GROUP BY each) on the cohort page
        ("qpv", 44),
        ("structure", 44),
        ("cohort", 10),
    ],
)
def test_page_query_counts_are_pinned(
    client, world, outcomes, cohort, page, expected, django_assert_num_queries
):
    login_as(client, world.coordinator)
    url = {
        "qpv": reverse("reporting:qpv", args=[world.qpv.code]),
        "structure": reverse("reporting:structure", args=[world.ml.pk]),
        "cohort": reverse("reporting:cohort", args=[cohort.pk]),
    }[page]
    client.get(url, {"periode": T1})
    with django_assert_num_queries(expected):
        client.get(url, {"periode": T1})
