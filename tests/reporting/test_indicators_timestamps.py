"""The orientation and barrier indicators read instants in SQL (day bounds, elapsed microseconds): they must
give exactly the Europe/Paris dates and `timedelta`s of the definitions, at midnight, across a change of
hour and to the microsecond, for one cité as for several."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from django.utils import timezone

from citemploi.orientations.enums import Status
from citemploi.orientations.models import Orientation
from citemploi.pathways.enums import BarrierState
from citemploi.pathways.models import BarrierRecord, BarrierTransition
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from citemploi.reporting.indicators.timestamps import ElapsedMicroseconds, local_day_bounds
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
Q2 = Period.quarter(2026, 2)  # 2026-04-01 .. 2026-06-30, summer time (UTC+2) at both ends


def _orientation(cite, person, sent, answered=None, started=None, status=Status.ACCEPTED):
    return Orientation.objects.create(
        cite=cite,
        beneficiary=person,
        receiving_structure=person.responsible_structure,
        service_name="Service",
        message="motif",
        sent_at=sent,
        deadline=sent + timedelta(days=10),
        status=status,
        answered_at=answered,
        started_at=started,
    )


def test_local_day_bounds_are_paris_midnights():
    winter = Period(date(2026, 1, 1), date(2026, 3, 28))
    assert local_day_bounds(winter) == (
        datetime(2025, 12, 31, 23, tzinfo=UTC),
        datetime(2026, 3, 28, 23, tzinfo=UTC),  # 29 March 00:00, still UTC+1 (the hour changes at 2:00)
    )
    assert local_day_bounds(Q2) == (
        datetime(2026, 3, 31, 22, tzinfo=UTC),
        datetime(2026, 6, 30, 22, tzinfo=UTC),
    )


def test_elapsed_microseconds_are_exact(world):
    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    sent = datetime(2026, 3, 28, 12, 0, 0, 999_999, tzinfo=PARIS)
    cases = {
        # one second and two microseconds, the fraction of a second borrowed from the whole seconds
        "carry": datetime(2026, 3, 28, 12, 0, 2, 1, tzinfo=PARIS),
        # across the change to summer time: 23 hours of elapsed time
        "dst": datetime(2026, 3, 29, 12, 0, 0, 999_999, tzinfo=PARIS),
        # answered before being sent (a correction): a negative number
        "before": datetime(2026, 3, 28, 11, 0, 0, 0, tzinfo=PARIS),
        # a whole second, no fraction stored
        "whole": datetime(2026, 4, 2, 8, 30, 0, tzinfo=PARIS),
    }
    ids = {key: _orientation(world.cite, person, sent, answered=at).pk for key, at in cases.items()}
    got = dict(
        Orientation.objects.filter(pk__in=ids.values())
        .annotate(_us=ElapsedMicroseconds(F("answered_at"), F("sent_at")))
        .values_list("pk", "_us")
    )
    assert got[ids["carry"]] == 1_000_002
    assert got[ids["dst"]] == 23 * 3600 * 1_000_000
    assert got[ids["before"]] == -(3600 * 1_000_000 + 999_999)
    # 28 March 11:00:00.999999 UTC to 2 April 06:30 UTC
    assert got[ids["whole"]] == 415_799_000_001
    for key, at in cases.items():
        # (two datetimes of the same zone subtract as wall-clock times in Python: compare in UTC)
        assert got[ids[key]] == (at.astimezone(UTC) - sent.astimezone(UTC)) // timedelta(microseconds=1)


def test_orientations_sent_on_the_paris_days_of_the_period_over_several_cites(world):
    here = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    there = BeneficiaryFactory(cite=world.other_cite, responsible_structure=world.ft)
    # 1 April 00:00:00 Paris = 31 March 22:00 UTC: in Q2
    _orientation(
        world.cite, here, datetime(2026, 4, 1, 0, 0, tzinfo=PARIS), datetime(2026, 4, 2, tzinfo=PARIS)
    )
    # 31 March 23:59:59.999999 Paris: Q1
    _orientation(world.cite, here, datetime(2026, 3, 31, 23, 59, 59, 999_999, tzinfo=PARIS))
    # 30 June 23:59:59.999999 Paris (21:59 UTC): in Q2, answered 3 days and 12 hours later
    last = datetime(2026, 6, 30, 23, 59, 59, 999_999, tzinfo=PARIS)
    _orientation(world.other_cite, there, last, last + timedelta(days=3, hours=12), status=Status.REFUSED)
    # 1 July 00:00 Paris: Q3
    _orientation(world.other_cite, there, datetime(2026, 7, 1, tzinfo=PARIS))

    both = (world.cite.pk, world.other_cite.pk)
    outcomes = REGISTRY["orientations.outcomes"].run(Query(both, Q2, Cut.CITE))
    assert outcomes.value("sent", str(world.cite.pk)) == 1
    assert outcomes.value("sent", str(world.other_cite.pk)) == 1
    assert outcomes.value("refused", str(world.other_cite.pk)) == 1
    one = REGISTRY["orientations.outcomes"].run(Query((world.cite.pk,), Q2))
    assert one.value("sent", "all") == 1

    delays = REGISTRY["orientations.delays"].run(Query(both, Q2))
    # answers after 1 day (00:00 → 00:00 next day, Paris) and 3.5 days: median 2.25 → 2.2, 90th = 3.5
    assert delays.value("answer_median", "all") == round((1 + 3.5) / 2, 1) == 2.2
    assert delays.value("answer_p90", "all") == 3.5
    assert delays.denominators[("answer_median", "all")] == 2
    # none started: no start delay at all, not a zero
    assert ("start_median", "all") not in delays.cells


def test_barriers_lifted_around_paris_midnight(world):
    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    other = BeneficiaryFactory(cite=world.other_cite, responsible_structure=world.ft)

    def record(cite, who, code, lifted_at):
        rec = BarrierRecord.objects.create(
            beneficiary=who,
            cite=cite,
            barrier=code,
            identified_on=date(2026, 1, 10),
            state=BarrierState.LIFTED,
            state_changed_at=timezone.now(),
        )
        for state, at in (
            (BarrierState.IDENTIFIED, datetime(2026, 1, 10, 9, tzinfo=PARIS)),
            (BarrierState.LIFTED, lifted_at),
        ):
            t = BarrierTransition.objects.create(record=rec, from_state="", to_state=state)
            BarrierTransition.objects.filter(pk=t.pk).update(at=at)

    # lifted on 1 April at 00:30 Paris (31 March 22:30 UTC): open in Q2 and lifted in it
    record(world.cite, person, "mobilite", datetime(2026, 4, 1, 0, 30, tzinfo=PARIS))
    # lifted on 31 March at 23:30 Paris: lifted before Q2, not open in it
    record(world.cite, person, "logement", datetime(2026, 3, 31, 23, 30, tzinfo=PARIS))
    # lifted on 1 July at 00:30 Paris (30 June 22:30 UTC): open in Q2, not lifted in it
    record(world.other_cite, other, "mobilite", datetime(2026, 7, 1, 0, 30, tzinfo=PARIS))

    both = Query((world.cite.pk, world.other_cite.pk), Q2)
    opened = REGISTRY["barriers.open"].run(both)
    assert (opened.row_total("mobilite"), opened.row_total("logement")) == (2, 0)
    lifted = REGISTRY["barriers.lifted"].run(both)
    assert (lifted.row_total("mobilite"), lifted.row_total("logement")) == (1, 0)
    rate = REGISTRY["barriers.lift_rate"].run(both)
    assert rate.value("mobilite", "all") == 50.0
    assert rate.denominators[("mobilite", "all")] == 2
    assert rate.numerators == {("mobilite", "all"): 1}
    by_cite = REGISTRY["barriers.lift_rate"].run(Query(both.cite_ids, Q2, Cut.CITE))
    assert by_cite.value("mobilite", str(world.cite.pk)) == 100.0
    assert by_cite.value("mobilite", str(world.other_cite.pk)) == 0.0
