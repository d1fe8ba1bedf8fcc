"""Outcome and retention indicators on a hand-computed data set."""

from datetime import date

import pytest

from citemploi.people.enums import Gender
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from citemploi.tracking.enums import OutcomeType
from citemploi.tracking.models import FollowUpCheck, Outcome
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

Q2 = Period.quarter(2026, 2)  # 2026-04-01 .. 2026-06-30


def _outcome(world, person, kind, day):
    return Outcome.objects.create(
        beneficiary=person, type=kind, outcome_on=day, recorded_by=world.coordinator.user
    )


def _check(outcome, months, due_on, recorded_on=None, still=None):
    return FollowUpCheck.objects.create(
        outcome=outcome, months=months, due_on=due_on, recorded_on=recorded_on, still_in_job_or_training=still
    )


@pytest.fixture
def people(world):
    p1 = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, gender=Gender.FEMALE)
    p2 = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, gender=Gender.MALE)
    p3 = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, gender=Gender.FEMALE)
    return world, p1, p2, p3


def test_outcomes_by_type_count_people_once(people):
    world, p1, p2, p3 = people
    # p1: two sustainable jobs and a training in Q2
    _outcome(world, p1, OutcomeType.SUSTAINABLE_JOB, date(2026, 4, 10))
    _outcome(world, p1, OutcomeType.SUSTAINABLE_JOB, date(2026, 5, 20))
    _outcome(world, p1, OutcomeType.QUALIFYING_TRAINING, date(2026, 6, 1))
    # p2: a transition job on the last day of Q2, an exit without solution in Q1 (out)
    _outcome(world, p2, OutcomeType.TRANSITION_JOB, date(2026, 6, 30))
    _outcome(world, p2, OutcomeType.NO_SOLUTION, date(2026, 3, 31))
    # p3: an exit without solution in Q3 (out)
    _outcome(world, p3, OutcomeType.NO_SOLUTION, date(2026, 7, 1))
    table = REGISTRY["outcomes.by_type"].run(Query((world.cite.pk,), Q2))
    assert table.value(OutcomeType.SUSTAINABLE_JOB, "all") == 1  # p1 once for two jobs
    assert table.value(OutcomeType.QUALIFYING_TRAINING, "all") == 1  # p1
    assert table.value(OutcomeType.TRANSITION_JOB, "all") == 1  # p2
    assert table.value(OutcomeType.NO_SOLUTION, "all") == 0
    # total: p1 and p2 = 2 people, although the type rows add up to 1 + 1 + 1 = 3
    assert table.value("total", "all") == 2
    by_gender = REGISTRY["outcomes.by_type"].run(Query((world.cite.pk,), Q2, Cut.GENDER))
    assert by_gender.value("total", Gender.FEMALE) == 1  # p1
    assert by_gender.value("total", Gender.MALE) == 1  # p2


def test_retention_recorded_retained_and_pending(people):
    world, p1, p2, p3 = people
    # 3 months: due 15/04 recorded still in job; due 01/04 recorded still in job; due 30/04 recorded not in job
    _check(
        _outcome(world, p1, OutcomeType.SUSTAINABLE_JOB, date(2026, 1, 15)),
        3,
        date(2026, 4, 15),
        date(2026, 4, 20),
        True,
    )
    _check(
        _outcome(world, p1, OutcomeType.TRANSITION_JOB, date(2026, 1, 1)),
        3,
        date(2026, 4, 1),
        date(2026, 4, 2),
        True,
    )
    _check(
        _outcome(world, p3, OutcomeType.SUBSIDISED_JOB, date(2026, 1, 31)),
        3,
        date(2026, 4, 30),
        date(2026, 5, 5),
        False,
    )
    # 3 months due 01/07: outside Q2
    _check(
        _outcome(world, p2, OutcomeType.SUSTAINABLE_JOB, date(2026, 4, 1)),
        3,
        date(2026, 7, 1),
        date(2026, 7, 1),
        True,
    )
    # 6 months: due 20/06, recorded, no longer in job
    _check(
        _outcome(world, p2, OutcomeType.SUSTAINABLE_JOB, date(2025, 12, 20)),
        6,
        date(2026, 6, 20),
        date(2026, 6, 22),
        False,
    )
    # 12 months: due 10/04, never recorded
    _check(_outcome(world, p3, OutcomeType.QUALIFYING_TRAINING, date(2025, 4, 10)), 12, date(2026, 4, 10))
    q = Query((world.cite.pk,), Q2)
    checks = REGISTRY["outcomes.retention_checks"].run(q)
    assert checks.value("3_recorded", "all") == 3
    assert checks.value("3_retained", "all") == 2
    assert checks.value("3_pending", "all") == 0
    assert checks.value("6_recorded", "all") == 1
    assert checks.value("6_retained", "all") == 0
    assert checks.value("12_recorded", "all") == 0
    assert checks.value("12_pending", "all") == 1
    rate = REGISTRY["outcomes.retention_rate"].run(q)
    # 3 months: 2 / 3 = 66.7 %; 6 months: 0 / 1 = 0 %; 12 months: nothing recorded, no rate (not 0 %)
    assert rate.value("3", "all") == 66.7
    assert rate.value("6", "all") == 0.0
    assert ("6", "all") in rate.cells
    assert ("12", "all") not in rate.cells
    by_gender = REGISTRY["outcomes.retention_rate"].run(Query((world.cite.pk,), Q2, Cut.GENDER))
    # women at 3 months: p1 twice in job, p3 not → 2 / 3; men: only the 6-month check of p2 → 0 %
    assert by_gender.value("3", Gender.FEMALE) == 66.7
    assert by_gender.value("6", Gender.MALE) == 0.0
