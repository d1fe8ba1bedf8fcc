"""Event indicators on a hand-computed data set: named and counted participants without double counting."""

from datetime import date
from decimal import Decimal

import pytest

from citemploi.people.enums import Gender
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from tests.factories import BeneficiaryFactory
from tests.partnership.factories import EventFactory, attended

pytestmark = pytest.mark.django_db

MARCH = Period.month(2026, 3)


@pytest.fixture
def events(world):
    cafe = EventFactory(
        cite=world.cite,
        date=date(2026, 3, 5),
        qpv=world.qpv,
        counted_total=10,
        counted_young=4,
        counted_women=6,
        counted_seniors=1,
        counted_qpv=8,
        hours_delivered=Decimal("3.5"),
        coordination_hours=Decimal("2"),
        found_count=5,
        hooked_count=3,
        employed_count=1,
        organised_by=world.ft,
    )
    forum = EventFactory(
        cite=world.cite,
        date=date(2026, 3, 31),
        forum=True,
        counted_total=100,
        counted_young=30,
        counted_women=50,
        counted_seniors=10,
        counted_qpv=60,
        hours_delivered=Decimal("6"),
        coordination_hours=Decimal("10.5"),
        found_count=20,
        hooked_count=8,
        employed_count=2,
        organised_by=world.ml,
    )
    # Two named people: a young woman of the QPV at both events, a man of 55 at the café only.
    young = BeneficiaryFactory(
        cite=world.cite,
        responsible_structure=world.ft,
        birth_date=date(2005, 1, 1),
        gender=Gender.FEMALE,
        qpv=world.qpv,
    )
    senior = BeneficiaryFactory(
        cite=world.cite, responsible_structure=world.ft, birth_date=date(1970, 1, 1), gender=Gender.MALE
    )
    attended(cafe, young)
    attended(cafe, senior)
    attended(forum, young)
    # Outside the month or the cité
    EventFactory(cite=world.cite, date=date(2026, 4, 1), counted_total=1000)
    EventFactory(cite=world.other_cite, date=date(2026, 3, 10), counted_total=1000)
    return world


def test_participants_add_named_and_counted(events):
    table = REGISTRY["events.participants"].run(Query((events.cite.pk,), MARCH))
    # café: 10 counted + 2 named = 12 ; forum: 100 counted + 1 named = 101 ; total 113
    assert table.row_total("cafe_emploi") == 12
    assert table.row_total("forum") == 101
    assert table.total == 113
    count = REGISTRY["events.count"].run(Query((events.cite.pk,), MARCH))
    assert count.total == 2


def test_participants_profile(events):
    table = REGISTRY["events.participants_profile"].run(Query((events.cite.pk,), MARCH))
    # young: 4 + 30 counted + 2 named participations (the young woman at both) = 36
    # women: 6 + 50 + 2 = 58 ; seniors: 1 + 10 + 1 (the man of 56) = 12 ; QPV: 8 + 60 + 2 = 70
    assert table.value("young", "all") == 36
    assert table.value("women", "all") == 58
    assert table.value("seniors", "all") == 12
    assert table.value("qpv", "all") == 70
    assert "total" not in table.as_dict()


def test_hours_and_results(events):
    hours = REGISTRY["events.hours"].run(Query((events.cite.pk,), MARCH))
    # delivered 3.5 + 6 = 9.5 ; coordination 2 + 10.5 = 12.5
    assert hours.value("delivered", "all") == Decimal("9.5")
    assert hours.value("coordination", "all") == Decimal("12.5")
    results = REGISTRY["events.results"].run(Query((events.cite.pk,), MARCH))
    # found 5 + 20 ; hooked 3 + 8 ; employed 1 + 2
    assert (
        results.value("found", "all"),
        results.value("hooked", "all"),
        results.value("employed", "all"),
    ) == (
        25,
        11,
        3,
    )


def test_cut_by_event_qpv_and_structure_filter(events):
    table = REGISTRY["events.participants"].run(Query((events.cite.pk,), MARCH, Cut.QPV))
    # café in the QPV: 12 ; forum without QPV: 101
    assert table.column_total(str(events.qpv.pk)) == 12
    assert table.column_total("") == 101
    only_ml = REGISTRY["events.participants"].run(Query((events.cite.pk,), MARCH, structure_id=events.ml.pk))
    assert only_ml.total == 101


def test_unsupported_cut_is_given_without_breakdown(events):
    table = REGISTRY["events.participants"].run(Query((events.cite.pk,), MARCH, Cut.GENDER))
    assert table.cut_supported is False
    assert table.columns == [("all", "Total")]
    assert table.total == 113
