"""The SQL the indicators compute instead of Django's per-row conversions (issue #7): the Paris date of an
instant, the age band on a date, and the accompanied people's test written as EXISTS on the person. Each
must give exactly what `TruncDate`, the age rule and the definition give, on the edge cases."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import DateField, Value
from django.db.models.functions import TruncDate

from citemploi.cohorts.enums import MemberState
from citemploi.cohorts.models import Cohort, CohortMember
from citemploi.orientations.enums import Status
from citemploi.orientations.models import Orientation
from citemploi.people.enums import Gender
from citemploi.people.models import Beneficiary
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from citemploi.reporting.indicators.base import age_band_expression
from citemploi.reporting.indicators.timestamps import LocalDate, local_day_bounds, offset_segments
from citemploi.tracking.enums import OutcomeType
from citemploi.tracking.models import JournalEntry, Outcome
from tests.factories import BeneficiaryFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
YEAR = Period.year(2026)


def _orientation(world, person, sent):
    return Orientation.objects.create(
        cite=world.cite,
        beneficiary=person,
        receiving_structure=world.ft,
        service_name="Service",
        message="motif",
        sent_at=sent,
        deadline=sent + timedelta(days=10),
        status=Status.SENT,
    )


def test_offset_segments_follow_the_changes_of_hour():
    start, end = local_day_bounds(YEAR)
    assert offset_segments(start, end) == [
        (datetime(2025, 12, 31, 23, tzinfo=UTC), datetime(2026, 3, 29, 1, tzinfo=UTC), timedelta(hours=1)),
        (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC), timedelta(hours=2)),
        (datetime(2026, 10, 25, 1, tzinfo=UTC), datetime(2026, 12, 31, 23, tzinfo=UTC), timedelta(hours=1)),
    ]


def test_local_date_is_truncdate_around_midnight_and_the_changes_of_hour(world):
    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft)
    instants = [
        datetime(2026, 1, 1, 0, 0, tzinfo=PARIS),  # the first instant of the period
        datetime(2026, 3, 28, 23, 59, 59, 999_999, tzinfo=PARIS),  # a hair before midnight, winter
        datetime(2026, 3, 28, 23, 59, 59, 999_800, tzinfo=PARIS),  # SQLite's date() would round it up
        datetime(2026, 3, 29, 0, 0, tzinfo=PARIS),
        datetime(2026, 3, 29, 1, 59, 59, tzinfo=PARIS),  # just before the change to summer time
        datetime(2026, 3, 29, 3, 0, tzinfo=PARIS),  # just after it
        datetime(2026, 6, 30, 23, 59, 59, 999_999, tzinfo=PARIS),  # summer, 21:59 UTC
        datetime(2026, 7, 1, 0, 0, tzinfo=PARIS),  # 30 June 22:00 UTC
        datetime(2026, 10, 25, 2, 30, fold=0, tzinfo=PARIS),  # the hour lived twice, first time
        datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS),  # and second time
        datetime(2026, 10, 25, 23, 59, 59, tzinfo=PARIS),
        datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=PARIS),  # the last instant of the period
        datetime(2025, 12, 31, 23, 59, 59, tzinfo=PARIS),  # before the bounds: Django's own function
        datetime(2027, 1, 1, 0, 30, tzinfo=PARIS),  # after them
    ]
    for at in instants:
        _orientation(world, person, at)
    start, end = local_day_bounds(YEAR)
    rows = Orientation.objects.annotate(
        fast=LocalDate("sent_at", start, end), slow=TruncDate("sent_at")
    ).values_list("sent_at", "fast", "slow")
    assert len(rows) == len(instants)
    for sent_at, fast, slow in rows:
        assert fast == slow == sent_at.astimezone(PARIS).date(), sent_at


def test_age_band_is_the_age_rule_on_birthdays_and_29_february(world):
    births = {
        "born_2000_05_10": date(2000, 5, 10),
        "born_1976_05_11": date(1976, 5, 11),
        "leap": date(2000, 2, 29),
        "unknown": None,
    }
    for name, birth in births.items():
        BeneficiaryFactory(cite=world.cite, last_name=name, birth_date=birth)

    def bands(on):
        qs = Beneficiary.objects.filter(cite=world.cite).annotate(
            band=age_band_expression("birth_date", Value(on, output_field=DateField()))
        )
        return dict(qs.values_list("last_name", "band"))

    before, on_birthday = bands(date(2026, 5, 9)), bands(date(2026, 5, 10))
    assert (before["born_2000_05_10"], on_birthday["born_2000_05_10"]) == ("jeunes", "26-49")
    assert (bands(date(2026, 5, 10))["born_1976_05_11"], bands(date(2026, 5, 11))["born_1976_05_11"]) == (
        "26-49",
        "seniors",
    )
    # born on 29 February: 26 on 1 March of a common year, not on 28 February
    assert bands(date(2026, 2, 28))["leap"] == "jeunes"
    assert bands(date(2026, 3, 1))["leap"] == "26-49"
    assert bands(date(2028, 2, 29))["leap"] == "26-49"
    assert on_birthday["unknown"] == ""


def test_orientations_by_age_on_the_paris_day_of_sending(world):
    # 26 on 1 January 2026; sent on 31 December 2025 at 23:30 Paris (22:30 UTC): 25 on that day
    person = BeneficiaryFactory(cite=world.cite, responsible_structure=world.ft, birth_date=date(2000, 1, 1))
    _orientation(world, person, datetime(2025, 12, 31, 23, 30, tzinfo=PARIS))
    _orientation(world, person, datetime(2026, 1, 1, 0, 30, tzinfo=PARIS))  # 31 December 23:30 UTC: 26
    period = Period(date(2025, 12, 1), date(2026, 1, 31))
    table = REGISTRY["orientations.outcomes"].run(Query((world.cite.pk,), period, Cut.AGE_BAND))
    assert table.value("sent", "jeunes") == 1
    assert table.value("sent", "26-49") == 1


def test_accompanied_when_active_between_the_last_exit_and_the_start(world):
    user = world.coordinator.user

    def person(name):
        return BeneficiaryFactory(
            cite=world.cite,
            responsible_structure=world.ft,
            identified_on=date(2025, 1, 10),
            gender=Gender.FEMALE,
            last_name=name,
        )

    def outcome(who, day):
        Outcome.objects.create(
            beneficiary=who, type=OutcomeType.NO_SOLUTION, outcome_on=day, recorded_by=user
        )

    q2 = Period.quarter(2026, 2)
    # exited in January, back in the journal in February (before Q2): accompanied in Q2
    back = person("back")
    outcome(back, date(2026, 1, 15))
    JournalEntry.objects.create(
        beneficiary=back, kind="phone", occurred_on=date(2026, 2, 3), text="Appel", author=user
    )
    # exited in February, journal in January only (before the exit): not accompanied
    gone = person("gone")
    outcome(gone, date(2026, 2, 15))
    JournalEntry.objects.create(
        beneficiary=gone, kind="phone", occurred_on=date(2026, 1, 3), text="Appel", author=user
    )
    # exited on 20 March, orientation sent on 31 March at 23:30 Paris (21:30 UTC, before Q2's first
    # instant): its Paris date, 31 March, is after the exit → accompanied
    oriented = person("oriented")
    outcome(oriented, date(2026, 3, 20))
    _orientation(world, oriented, datetime(2026, 3, 31, 23, 30, tzinfo=PARIS))
    # exited on 31 March, orientation sent the same day: not after the exit → not accompanied
    same_day = person("same_day")
    outcome(same_day, date(2026, 3, 31))
    _orientation(world, same_day, datetime(2026, 3, 31, 10, 0, tzinfo=PARIS))
    # left a cohort in January, integrated in another in March: accompanied
    cohort = Cohort.objects.create(cite=world.cite, name="C", start_date=date(2025, 1, 1), target_size=10)
    other = Cohort.objects.create(cite=world.cite, name="D", start_date=date(2025, 1, 1), target_size=10)
    rejoined = person("rejoined")
    for c, integrated, exited in (
        (cohort, date(2025, 6, 1), date(2026, 1, 20)),
        (other, date(2026, 3, 2), None),
    ):
        CohortMember.objects.create(
            cohort=c,
            beneficiary=rejoined,
            proposing_structure=world.ft,
            proposed_on=integrated,
            state=MemberState.EXITED if exited else MemberState.INTEGRATED,
            integrated_on=integrated,
            exited_on=exited,
        )
    table = REGISTRY["people.accompanied_hooked"].run(Query((world.cite.pk,), q2, Cut.GENDER))
    assert table.value("accompanied", Gender.FEMALE) == 3  # back, oriented, rejoined
    assert table.value("hooked", Gender.FEMALE) == 0
    by_age = REGISTRY["people.accompanied_hooked"].run(Query((world.cite.pk,), q2, Cut.AGE_BAND))
    assert sum(by_age.value("accompanied", band) for band, _ in by_age.columns) == 3
    # the exit in Q1 itself does not close the pathway for Q1: all five are accompanied then
    q1 = REGISTRY["people.accompanied_hooked"].run(Query((world.cite.pk,), Period.quarter(2026, 1)))
    assert q1.value("accompanied", "all") == 5
