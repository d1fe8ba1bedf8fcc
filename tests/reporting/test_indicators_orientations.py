"""Orientation indicators on a hand-computed data set."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from citemploi.orientations.enums import RefusalReason, Status
from citemploi.orientations.models import Orientation
from citemploi.people.enums import Gender
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from citemploi.reporting.indicators.orientations import median, percentile_nearest_rank
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

Q2 = Period.quarter(2026, 2)  # 2026-04-01 .. 2026-06-30
PARIS = ZoneInfo("Europe/Paris")


def _at(month, day, hour=10, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS)


def _orientation(world, person, receiver, sent, status, answered=None, started=None, reason=""):
    return Orientation.objects.create(
        cite=world.cite,
        beneficiary=person,
        service_name="Service",
        receiving_structure=receiver,
        message="motif",
        sent_at=sent,
        deadline=sent + timedelta(days=10),
        status=status,
        answered_at=answered,
        started_at=started,
        refusal_reason=reason,
    )


@pytest.fixture
def orientations(world):
    woman = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, gender=Gender.FEMALE)
    man = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, gender=Gender.MALE)
    # A: accepted after 2 days, started after 10 days, completed since (France Travail)
    _orientation(world, woman, world.ft, _at(4, 1), Status.COMPLETED, _at(4, 3), _at(4, 11))
    # B: refused after 4 days, no capacity (mission locale)
    _orientation(
        world, man, world.ml, _at(4, 10), Status.REFUSED, _at(4, 14), reason=RefusalReason.NO_CAPACITY
    )
    # C: expired without answer (France Travail)
    _orientation(world, woman, world.ft, _at(5, 1), Status.EXPIRED)
    # D: withdrawn before any answer (France Travail)
    _orientation(world, man, world.ft, _at(5, 2), Status.WITHDRAWN)
    # E: accepted after 8 days, started after 20 days (mission locale)
    _orientation(world, woman, world.ml, _at(6, 1), Status.STARTED, _at(6, 9), _at(6, 21))
    # G: sent on 30 June at 23:30 Paris time (still Q2), accepted 6 days later in July (France Travail)
    _orientation(world, woman, world.ft, _at(6, 30, 23, 30), Status.ACCEPTED, _at(7, 6, 23, 30))
    # F: sent in Q1, not counted
    _orientation(world, man, world.ft, _at(3, 31), Status.ACCEPTED, _at(4, 2))
    return world


def test_outcomes_of_the_orientations_sent(orientations):
    table = REGISTRY["orientations.outcomes"].run(Query((orientations.cite.pk,), Q2))
    # sent in Q2: A, B, C, D, E, G = 6 (F sent on 31 March is out)
    assert table.value("sent", "all") == 6
    # accepted: A (completed since), E (started since), G = 3
    assert table.value("accepted", "all") == 3
    assert table.value("refused", "all") == 1  # B
    assert table.value("expired", "all") == 1  # C
    assert table.value("withdrawn", "all") == 1  # D
    assert table.value("started", "all") == 2  # A, E
    assert table.value("completed", "all") == 1  # A
    assert table.as_dict()["additive"] is False


def test_outcomes_by_receiving_structure_and_gender(orientations):
    cite = orientations.cite.pk
    by_structure = REGISTRY["orientations.outcomes"].run(Query((cite,), Q2, Cut.STRUCTURE))
    ft, ml = str(orientations.ft.pk), str(orientations.ml.pk)
    # France Travail received A, C, D, G = 4; mission locale B, E = 2
    assert by_structure.value("sent", ft) == 4
    assert by_structure.value("sent", ml) == 2
    assert by_structure.value("accepted", ft) == 2  # A, G
    assert by_structure.value("refused", ml) == 1  # B
    by_gender = REGISTRY["orientations.outcomes"].run(Query((cite,), Q2, Cut.GENDER))
    # women: A, C, E, G = 4; men: B, D = 2
    assert by_gender.value("sent", Gender.FEMALE) == 4
    assert by_gender.value("sent", Gender.MALE) == 2


def test_refusals_by_reason(orientations):
    table = REGISTRY["orientations.refusal_reasons"].run(Query((orientations.cite.pk,), Q2))
    assert table.value(RefusalReason.NO_CAPACITY, "all") == 1
    assert table.total == 1


def test_delays_median_and_90th_percentile(orientations):
    table = REGISTRY["orientations.delays"].run(Query((orientations.cite.pk,), Q2))
    # answers: A 2, B 4, E 8, G 6 days → sorted 2, 4, 6, 8: median (4 + 6) / 2 = 5;
    # 90th percentile: rank ⌈0.9 × 4⌉ = 4 → 8
    assert table.value("answer_median", "all") == 5
    assert table.value("answer_p90", "all") == 8
    # starts: A 10, E 20 days → median (10 + 20) / 2 = 15; rank ⌈0.9 × 2⌉ = 2 → 20
    assert table.value("start_median", "all") == 15
    assert table.value("start_p90", "all") == 20
    by_structure = REGISTRY["orientations.delays"].run(Query((orientations.cite.pk,), Q2, Cut.STRUCTURE))
    # France Travail answers: A 2, G 6 → median 4, rank ⌈1.8⌉ = 2 → 6
    assert by_structure.value("answer_median", str(orientations.ft.pk)) == 4
    assert by_structure.value("answer_p90", str(orientations.ft.pk)) == 6


def test_percentile_helpers():
    # odd count: middle value; nearest rank of 10 values at 90 % is the 9th
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert percentile_nearest_rank([float(i) for i in range(1, 11)], 90) == 9.0
    # a single value is its own median and percentile
    assert percentile_nearest_rank([7.0], 90) == 7.0
