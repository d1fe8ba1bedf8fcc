"""Outcomes and retention on the QPV, partner structure and cohort pages: the cité dashboard's section, cut to
the page's QPV, structure or cohort, with pinned query counts."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from citemploi.cohorts.enums import MemberState
from citemploi.cohorts.models import Cohort, CohortMember, MemberTransition
from citemploi.reporting.dashboard import COHORT_CODES
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


@pytest.fixture
def two_cohorts(world):
    """Two cohorts of T1 2026 and the outcomes (dated 10 February) and 3-month checks (due 1 March) of people
    in and around them.

    « Jeunes Nord » (A):
    - a1 integrated 15 Jan, sustainable job, check recorded, still in job;
    - a2 integrated 15 Jan, qualifying training, check recorded, no longer in training;
    - a3 integrated 15 Jan, sustainable job, check due and not recorded;
    - a4 only proposed: sustainable job, check recorded, still in job (not a member);
    - a5 integrated 1 Mar: transition job and check before the integration (not the cohort's);
    - a6 integrated 15 Jan, exited the cohort 1 Feb: exit without solution on 10 Feb (still counts).
    « Seniors » (B):
    - b1 integrated 15 Jan, sustainable job, check recorded, still in job;
    - b2 integrated 10 Jan, qualifying training, check recorded, still in training;
    - a1 is also integrated in B on 1 Mar: their job of 10 Feb is not B's.
    Plus someone in no cohort with a job and a check recorded, still in job.
    """
    a = Cohort.objects.create(
        cite=world.cite, name="Jeunes Nord", start_date=date(2026, 1, 1), target_size=20
    )
    b = Cohort.objects.create(cite=world.cite, name="Seniors", start_date=date(2026, 1, 1), target_size=20)

    def join(cohort, person, *, integrated_on=None, exited_on=None):
        state = (
            MemberState.EXITED
            if exited_on
            else MemberState.INTEGRATED
            if integrated_on
            else MemberState.PROPOSED
        )
        CohortMember.objects.create(
            cohort=cohort,
            beneficiary=person,
            proposing_structure=world.ft,
            proposed_on=date(2026, 1, 5),
            state=state,
            integrated_on=integrated_on,
            exited_on=exited_on,
        )

    def person(cohort=None, kind=OutcomeType.SUSTAINABLE_JOB, retained=None, **membership):
        p = _person(world)
        if cohort is not None:
            join(cohort, p, **membership)
        outcome = _outcome(world, p, kind=kind, retained=retained)
        return p, outcome

    jan15 = date(2026, 1, 15)
    a1, _ = person(a, retained=True, integrated_on=jan15)
    join(b, a1, integrated_on=date(2026, 3, 1))
    person(a, OutcomeType.QUALIFYING_TRAINING, retained=False, integrated_on=jan15)
    _, a3_job = person(a, integrated_on=jan15)
    FollowUpCheck.objects.create(outcome=a3_job, months=3, due_on=date(2026, 3, 1))
    person(a, retained=True)
    person(a, OutcomeType.TRANSITION_JOB, retained=True, integrated_on=date(2026, 3, 1))
    person(a, OutcomeType.NO_SOLUTION, integrated_on=jan15, exited_on=date(2026, 2, 1))
    person(b, retained=True, integrated_on=jan15)
    person(b, OutcomeType.QUALIFYING_TRAINING, retained=True, integrated_on=date(2026, 1, 10))
    person(retained=True)
    return a, b


def test_each_cohort_page_shows_the_outcomes_and_retention_of_its_members_only(client, world, two_cohorts):
    a, b = two_cohorts
    login_as(client, world.coordinator)
    page_a = _section(client.get(reverse("reporting:cohort", args=[a.pk]), {"periode": T1}), "sorties")
    by_type = page_a["outcomes.by_type"].shown.cells
    # sustainable job: a1, a3 (not a4, only proposed); training: a2; without solution: a6 (exited since);
    # transition job: none (a5's is before their integration); people with an outcome: a1, a2, a3, a6
    assert by_type[(OutcomeType.SUSTAINABLE_JOB.value, "all")] == 2
    assert by_type[(OutcomeType.QUALIFYING_TRAINING.value, "all")] == 1
    assert by_type[(OutcomeType.NO_SOLUTION.value, "all")] == 1
    assert by_type[(OutcomeType.TRANSITION_JOB.value, "all")] == 0
    assert by_type[("total", "all")] == 4
    checks = page_a["outcomes.retention_checks"].shown.cells
    # recorded: a1, a2; still in job or training: a1; due and not recorded: a3
    assert (checks[("3_recorded", "all")], checks[("3_retained", "all")], checks[("3_pending", "all")]) == (
        2,
        1,
        1,
    )
    assert float(page_a["outcomes.retention_rate"].shown.cells[("3", "all")]) == 50.0  # 1 / 2
    # the share with a solution speaks of the same people: integrated by 31 March a1, a2, a3, a5, a6 = 5,
    # with a solution from their integration a1, a2, a3 = 3
    assert page_a["cohorts.solution_people"].shown.cells[("integrated", "all")] == 5
    assert page_a["cohorts.solution_people"].shown.cells[("with_solution", "all")] == 3

    page_b = _section(client.get(reverse("reporting:cohort", args=[b.pk]), {"periode": T1}), "sorties")
    by_type = page_b["outcomes.by_type"].shown.cells
    # b1's job (a1's was before their integration in B on 1 March), b2's training
    assert by_type[(OutcomeType.SUSTAINABLE_JOB.value, "all")] == 1
    assert by_type[(OutcomeType.QUALIFYING_TRAINING.value, "all")] == 1
    assert by_type[("total", "all")] == 2
    checks = page_b["outcomes.retention_checks"].shown.cells
    assert (checks[("3_recorded", "all")], checks[("3_retained", "all")], checks[("3_pending", "all")]) == (
        2,
        2,
        0,
    )
    assert float(page_b["outcomes.retention_rate"].shown.cells[("3", "all")]) == 100.0

    # the cité dashboard counts everybody: 5 jobs (a1, a3, a4, b1, the person in no cohort), 9 people
    home = _section(client.get(reverse("reporting:home"), {"periode": T1}), "sorties")
    assert home["outcomes.by_type"].shown.cells[(OutcomeType.SUSTAINABLE_JOB.value, "all")] == 5
    assert home["outcomes.by_type"].shown.cells[("total", "all")] == 9


def test_cohort_outcomes_cut_by_age_band_stay_within_the_cohort(world, two_cohorts):
    from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query

    a, _ = two_cohorts
    table = REGISTRY["outcomes.by_type"].run(
        Query((world.cite.pk,), Period.quarter(2026, 1), Cut.AGE_BAND, cohort_id=a.pk)
    )
    assert table.cut_supported
    assert sum(table.value("total", col) for col, _ in table.columns) == 4


def test_cohort_page_export_has_the_tables_of_that_cohort_only(client, world, two_cohorts):
    a, _ = two_cohorts
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:export", args=["csv"]), {"periode": T1, "cohort_id": a.pk})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))[1:]
    assert {row[0] for row in rows} == set(COHORT_CODES)
    assert [
        "outcomes.by_type",
        "Sorties par type",
        "personnes",
        "Toutes sorties (personnes)",
        "Total",
        "4",
    ] in rows
    other = Cohort.objects.create(
        cite=world.other_cite, name="Ailleurs", start_date=date(2026, 1, 1), target_size=5
    )
    assert (
        client.get(
            reverse("reporting:export", args=["csv"]), {"periode": T1, "cohort_id": other.pk}
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        # session, context and the page's QPV, structure or cohort, then one or two GROUP BY per indicator
        # (measured): every section on the QPV and structure pages (the barriers' lift rate in one GROUP BY
        # since issue #7); on the cohort page the funnel and the
        # share with a solution (two GROUP BY each), the outcomes by type (two: per type, all outcomes) and the
        # retention checks and rate (one each; the cohort is a correlated EXISTS, no query of its own)
        ("qpv", 43),
        ("structure", 43),
        ("cohort", 14),
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
