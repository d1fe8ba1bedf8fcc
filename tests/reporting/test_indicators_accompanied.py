"""Accompanied people and people hooked to droit commun, on a hand-computed data set."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from citemploi.cohorts.enums import MemberState
from citemploi.cohorts.models import Cohort, CohortMember
from citemploi.offer.enums import ServiceNature
from citemploi.orientations.enums import Status
from citemploi.orientations.models import Orientation
from citemploi.people.enums import Gender
from citemploi.people.models import FollowUpMember
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from citemploi.tracking.enums import OutcomeType
from citemploi.tracking.models import JournalEntry, Outcome
from tests.factories import BeneficiaryFactory
from tests.offer.factories import ServiceFactory

pytestmark = pytest.mark.django_db

Q2 = Period.quarter(2026, 2)  # 2026-04-01 .. 2026-06-30
PARIS = ZoneInfo("Europe/Paris")


def _at(day):
    return datetime(day.year, day.month, day.day, 10, tzinfo=PARIS)


@pytest.fixture
def pathways(world):
    user = world.coordinator.user
    common = ServiceFactory(structure=world.ft, nature=ServiceNature.DROIT_COMMUN)
    specific = ServiceFactory(structure=world.asso, nature=ServiceNature.SPECIFIQUE)

    def person(identified_on, gender):
        return BeneficiaryFactory(
            cite=world.cite, responsible_structure=world.ft, identified_on=identified_on, gender=gender
        )

    def orientation(who, service, status, answered=None, started=None):
        sent = (answered or started) - timedelta(days=3)
        Orientation.objects.create(
            cite=world.cite,
            beneficiary=who,
            service=service,
            service_name=service.name,
            receiving_structure=service.structure,
            message="motif",
            sent_at=_at(sent),
            deadline=_at(sent + timedelta(days=10)),
            status=status,
            answered_at=_at(answered) if answered else None,
            started_at=_at(started) if started else None,
        )

    def followed_by(who, structure, day):
        member = FollowUpMember.objects.create(beneficiary=who, structure=structure)
        FollowUpMember.objects.filter(pk=member.pk).update(added_at=_at(day))

    def outcome(who, kind, day):
        Outcome.objects.create(beneficiary=who, type=kind, outcome_on=day, recorded_by=user)

    F, M = Gender.FEMALE, Gender.MALE
    # a: identified in January, nothing since → accompanied (never exited), not hooked
    person(date(2026, 1, 10), F)
    # b: identified after the end → not accompanied
    person(date(2026, 7, 1), F)
    # c: job on 1 March, nothing after → exited before the start, not accompanied
    c = person(date(2025, 6, 1), M)
    outcome(c, OutcomeType.SUSTAINABLE_JOB, date(2026, 3, 1))
    # d: exit without solution in February, back in the journal on 15 April → accompanied;
    #    orientation to a droit-commun service accepted on 2 May → hooked
    d = person(date(2025, 6, 1), F)
    outcome(d, OutcomeType.NO_SOLUTION, date(2026, 2, 1))
    JournalEntry.objects.create(
        beneficiary=d, kind="phone", occurred_on=date(2026, 4, 15), text="Appel", author=user
    )
    orientation(d, common, Status.ACCEPTED, answered=date(2026, 5, 2))
    # e: left a cohort on 15 March, nothing after → not accompanied
    e = person(date(2025, 6, 1), M)
    cohort = Cohort.objects.create(cite=world.cite, name="C", start_date=date(2025, 1, 1), target_size=10)
    CohortMember.objects.create(
        cohort=cohort,
        beneficiary=e,
        proposing_structure=world.ft,
        proposed_on=date(2025, 6, 2),
        state=MemberState.EXITED,
        integrated_on=date(2025, 7, 1),
        exited_on=date(2026, 3, 15),
    )
    # f: identified in April, France Travail joins the follow-up group on 10 May → accompanied, hooked
    f = person(date(2026, 4, 20), F)
    followed_by(f, world.ft, date(2026, 5, 10))
    # g: a specific (not droit-commun) service started in May, an association in the follow-up group
    #    → accompanied, not hooked
    g = person(date(2026, 2, 1), M)
    orientation(g, specific, Status.STARTED, answered=date(2026, 4, 25), started=date(2026, 5, 5))
    followed_by(g, world.asso, date(2026, 5, 10))
    # h: job on 1 May (exit during the period: still accompanied); droit-commun orientation accepted in
    #    March and started on 10 June → hooked
    h = person(date(2026, 1, 1), M)
    outcome(h, OutcomeType.SUSTAINABLE_JOB, date(2026, 5, 1))
    orientation(h, common, Status.STARTED, answered=date(2026, 3, 20), started=date(2026, 6, 10))
    return world


def test_accompanied_and_hooked(pathways):
    table = REGISTRY["people.accompanied_hooked"].run(Query((pathways.cite.pk,), Q2))
    # accompanied: a, d, f, g, h = 5 (b after the end; c and e exited before the start)
    assert table.value("accompanied", "all") == 5
    # hooked: d (accepted), f (France Travail), h (started) = 3
    assert table.value("hooked", "all") == 3
    by_gender = REGISTRY["people.accompanied_hooked"].run(Query((pathways.cite.pk,), Q2, Cut.GENDER))
    # women a, d, f = 3 (hooked d, f = 2); men g, h = 2 (hooked h = 1)
    assert by_gender.value("accompanied", Gender.FEMALE) == 3
    assert by_gender.value("hooked", Gender.FEMALE) == 2
    assert by_gender.value("accompanied", Gender.MALE) == 2
    assert by_gender.value("hooked", Gender.MALE) == 1


def test_exited_people_come_back_in_a_later_period(pathways):
    # in Q1 2026 (1 January – 31 March), c (job on 1 March) and e (cohort exit on 15 March) are accompanied
    # too: their exit is inside Q1, not before it. Q1: a, c, d, e, g, h = 6 (f identified in April, b in July)
    table = REGISTRY["people.accompanied_hooked"].run(Query((pathways.cite.pk,), Period.quarter(2026, 1)))
    assert table.value("accompanied", "all") == 6
    # hooked in Q1: h's droit-commun orientation accepted on 20 March = 1
    assert table.value("hooked", "all") == 1


def test_each_cite_counts_its_own_hooked_people_and_postgresql_gets_joins(pathways, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # in the other cité: one accompanied person hooked by a droit-commun orientation started in May, one not
    common = ServiceFactory(structure=world.other_structure, nature=ServiceNature.DROIT_COMMUN)
    hooked, idle = (
        BeneficiaryFactory(
            cite=world.other_cite, responsible_structure=world.other_structure, identified_on=date(2026, 1, 5)
        )
        for _ in range(2)
    )
    Orientation.objects.create(
        cite=world.other_cite,
        beneficiary=hooked,
        service=common,
        service_name=common.name,
        receiving_structure=world.other_structure,
        message="motif",
        sent_at=_at(date(2026, 5, 1)),
        deadline=_at(date(2026, 5, 11)),
        status=Status.STARTED,
        answered_at=_at(date(2026, 5, 2)),
        started_at=_at(date(2026, 5, 4)),
    )
    # and one who found a job in March: exited before the start, not accompanied
    gone = BeneficiaryFactory(
        cite=world.other_cite, responsible_structure=world.other_structure, identified_on=date(2026, 1, 5)
    )
    Outcome.objects.create(
        beneficiary=gone,
        type=OutcomeType.SUSTAINABLE_JOB,
        outcome_on=date(2026, 3, 2),
        recorded_by=world.coordinator.user,
    )
    assert idle.pk
    both = (pathways.cite.pk, world.other_cite.pk)
    with CaptureQueriesContext(connection) as captured:
        table = REGISTRY["people.accompanied_hooked"].run(Query(both, Q2, Cut.CITE))
    assert table.value("accompanied", str(pathways.cite.pk)) == 5
    assert table.value("hooked", str(pathways.cite.pk)) == 3
    assert table.value("accompanied", str(world.other_cite.pk)) == 2
    assert table.value("hooked", str(world.other_cite.pk)) == 1
    # one cité alone sees only its own hooked people
    alone = REGISTRY["people.accompanied_hooked"].run(Query((world.other_cite.pk,), Q2))
    assert (alone.value("accompanied", "all"), alone.value("hooked", "all")) == (2, 1)
    if connection.vendor == "postgresql":
        # no list of facts tested person by person: neither NOT IN (a subplan rescanned for each person once
        # the exits outgrow work_mem) nor IN inside an aggregate's FILTER; a semi-join and anti-joins instead
        sql = "\n".join(q["sql"] for q in captured.captured_queries)
        facts = r'"people_beneficiary"\."id" IN \(\(?SELECT'
        assert not re.search(r"NOT \(" + facts, sql)
        assert not re.search(r"FILTER \(WHERE \(" + facts, sql)
        assert re.search(r"NOT \(?EXISTS", sql) and re.search(facts, sql)
