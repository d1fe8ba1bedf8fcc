"""Barrier indicators on a hand-computed data set."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from citemploi.pathways.enums import BarrierState
from citemploi.pathways.models import BarrierRecord, BarrierTransition
from citemploi.people.enums import Gender
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

Q2 = Period.quarter(2026, 2)  # 2026-04-01 .. 2026-06-30
PARIS = ZoneInfo("Europe/Paris")


def _record(world, person, code, identified_on, moves=()):
    record = BarrierRecord.objects.create(
        beneficiary=person,
        cite=world.cite,
        barrier=code,
        identified_on=identified_on,
        state=moves[-1][0] if moves else BarrierState.IDENTIFIED,
        state_changed_at=timezone.now(),
    )
    for state, day in (("identified", identified_on), *moves):
        t = BarrierTransition.objects.create(record=record, from_state="", to_state=state)
        BarrierTransition.objects.filter(pk=t.pk).update(
            at=datetime(day.year, day.month, day.day, 10, tzinfo=PARIS)
        )
    return record


@pytest.fixture
def barriers(world):
    woman = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, gender=Gender.FEMALE)
    man = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, gender=Gender.MALE)
    # mobility: identified in Q2 and lifted in Q2 (woman)
    _record(world, woman, "mobilite", date(2026, 4, 10), [(BarrierState.LIFTED, date(2026, 5, 1))])
    # mobility: identified in Q1, still open in Q2, not lifted (man)
    _record(world, man, "mobilite", date(2026, 2, 1), [(BarrierState.ACTION_ENGAGED, date(2026, 3, 1))])
    # housing: identified in Q1, lifted in Q2 (man)
    _record(world, man, "logement", date(2026, 1, 5), [(BarrierState.LIFTED, date(2026, 6, 30))])
    # housing: lifted in Q1, so not open in Q2 (woman)
    _record(world, woman, "logement", date(2026, 1, 5), [(BarrierState.LIFTED, date(2026, 3, 31))])
    # digital: identified after Q2 (woman)
    _record(world, woman, "numerique", date(2026, 7, 1))
    return world


def test_identified_open_lifted_and_rate(barriers):
    q = Query((barriers.cite.pk,), Q2)
    identified = REGISTRY["barriers.identified"].run(q)
    # identified in Q2: the woman's mobility only
    assert identified.total == 1
    assert identified.row_total("mobilite") == 1
    opened = REGISTRY["barriers.open"].run(q)
    # open in Q2: mobility ×2, housing ×1 (the one lifted on 31 March is not) = 3
    assert (opened.row_total("mobilite"), opened.row_total("logement"), opened.total) == (2, 1, 3)
    lifted = REGISTRY["barriers.lifted"].run(q)
    # lifted in Q2: mobility (1 May), housing (30 June) = 2
    assert (lifted.row_total("mobilite"), lifted.row_total("logement")) == (1, 1)
    rate = REGISTRY["barriers.lift_rate"].run(q)
    # mobility 1 / 2 = 50 % ; housing 1 / 1 = 100 %
    assert rate.value("mobilite", "all") == 50.0
    assert rate.value("logement", "all") == 100.0
    assert rate.value("numerique", "all") == 0


def test_barriers_cut_by_gender(barriers):
    opened = REGISTRY["barriers.open"].run(Query((barriers.cite.pk,), Q2, Cut.GENDER))
    # women: mobility (Q2) = 1 ; men: mobility + housing = 2
    assert opened.column_total("F") == 1
    assert opened.column_total("M") == 2
