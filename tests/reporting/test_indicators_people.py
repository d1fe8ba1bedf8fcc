"""People indicators on a hand-computed data set."""

from datetime import date

import pytest

from citemploi.people.enums import Gender, ReperageChannel
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from tests.factories import BeneficiaryFactory, QPVFactory

pytestmark = pytest.mark.django_db

Q1 = Period.quarter(2026, 1)  # 2026-01-01 .. 2026-03-31


@pytest.fixture
def people(world):
    other_qpv = QPVFactory(code="QN08002M")
    world.cite.qpvs.add(other_qpv)

    def person(identified_on, channel, *, invisible=False, born=date(1990, 6, 15), qpv=None, **kw):
        b = BeneficiaryFactory(
            cite=kw.pop("cite", world.cite),
            responsible_structure=kw.pop("structure", world.ft),
            identified_on=identified_on,
            reperage_channel=channel,
            birth_date=born,
            qpv=qpv,
            **kw,
        )
        if invisible:
            type(b).objects.filter(pk=b.pk).update(invisible_at_identification=True)
        return b

    forum, door = ReperageChannel.FORUM, ReperageChannel.DOOR_TO_DOOR
    # In the quarter: 3 at a forum, 2 door to door (one invisible).
    # Age on 2026-01-10 for someone born 2000-01-11: 25 (birthday the next day) -> jeunes.
    person(date(2026, 1, 10), forum, born=date(2000, 1, 11), gender=Gender.FEMALE, qpv=world.qpv)
    # Born 2000-01-10, identified on 2026-01-10: 26 that very day -> 26-49.
    person(date(2026, 1, 10), forum, born=date(2000, 1, 10), gender=Gender.MALE, qpv=world.qpv)
    # Born 1976-03-31, identified 2026-03-31: 50 -> seniors; on the last day of the quarter (inclusive).
    person(date(2026, 3, 31), forum, born=date(1976, 3, 31), gender=Gender.FEMALE, qpv=other_qpv)
    person(date(2026, 1, 1), door, invisible=True, gender=Gender.FEMALE, structure=world.spip)
    person(date(2026, 2, 15), door, born=None, gender=Gender.MALE, structure=world.ml)
    # Outside the quarter or the cité: never counted.
    person(date(2025, 12, 31), forum, invisible=True)
    person(date(2026, 4, 1), door, invisible=True)
    person(date(2026, 2, 1), forum, cite=world.other_cite, structure=world.other_referent.structure)
    return world


def test_identified_by_channel(people):
    table = REGISTRY["people.identified"].run(Query((people.cite.pk,), Q1))
    # forum: 3 ; door to door: 2 ; total 3 + 2 = 5
    assert table.row_total("forum") == 3
    assert table.row_total("door_to_door") == 2
    assert table.total == 5


def test_identified_cut_by_age_band_on_identification_date(people):
    table = REGISTRY["people.identified"].run(Query((people.cite.pk,), Q1, Cut.AGE_BAND))
    # jeunes: born 2000-01-11 (25 on 2026-01-10) = 1
    # 26-49: born 2000-01-10 (26 that day) + the invisible born 1990 = 2
    # seniors: born 1976-03-31 (50 on 2026-03-31) = 1 ; unknown birth date = 1 ; 1 + 2 + 1 + 1 = 5
    assert table.column_total("jeunes") == 1
    assert table.column_total("26-49") == 2
    assert table.column_total("seniors") == 1
    assert table.column_total("") == 1
    assert table.total == 5
    assert [k for k, _ in table.columns][:3] == ["jeunes", "26-49", "seniors"]


def test_identified_cut_by_gender_qpv_and_structure(people):
    cite = (people.cite.pk,)
    by_gender = REGISTRY["people.identified"].run(Query(cite, Q1, Cut.GENDER))
    # women: 3 (forum jeunes, forum senior, door invisible) ; men: 2
    assert (by_gender.column_total("F"), by_gender.column_total("M"), by_gender.column_total("X")) == (
        3,
        2,
        0,
    )
    by_qpv = REGISTRY["people.identified"].run(Query(cite, Q1, Cut.QPV))
    # QPV of people.qpv: 2 ; the other QPV: 1 ; none: 2 -> 2 + 1 + 2 = 5
    assert by_qpv.column_total(str(people.qpv.pk)) == 2
    assert by_qpv.column_total("") == 2
    assert by_qpv.total == 5
    by_structure = REGISTRY["people.identified"].run(Query(cite, Q1, Cut.STRUCTURE))
    # France Travail 3, Mission locale 1, SPIP folded into « restricted » 1
    assert by_structure.column_total(str(people.ft.pk)) == 3
    assert by_structure.column_total(str(people.ml.pk)) == 1
    assert by_structure.column_total("sensible") == 1
    assert str(people.spip.pk) not in [k for k, _ in by_structure.columns]


def test_invisible_reached(people):
    table = REGISTRY["people.invisible_reached"].run(Query((people.cite.pk,), Q1))
    # only the door-to-door person of 2026-01-01 (the two others are outside the quarter)
    assert table.total == 1
    assert table.row_total("door_to_door") == 1


def test_qpv_and_structure_filters(people):
    table = REGISTRY["people.identified"].run(Query((people.cite.pk,), Q1, qpv_id=people.qpv.pk))
    assert table.total == 2
    table = REGISTRY["people.identified"].run(Query((people.cite.pk,), Q1, structure_id=people.ml.pk))
    assert table.total == 1
