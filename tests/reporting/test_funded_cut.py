"""The « action financée » cut of the indicators about people, on a hand-built world (first quarter 2026)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from citemploi.calls.models import FundedActionLink
from citemploi.orientations.enums import Status
from citemploi.orientations.models import Orientation
from citemploi.people.enums import ReperageChannel
from citemploi.reporting.indicators import REGISTRY, Cut, Period, Query
from citemploi.reporting.indicators.base import Table
from citemploi.reporting.protection import STEERING, exact, protect
from citemploi.tracking.enums import OutcomeType
from citemploi.tracking.models import Outcome
from tests.calls.factories import ApplicationFactory, CallFactory
from tests.conftest import login_as
from tests.factories import BeneficiaryFactory
from tests.offer.factories import ServiceFactory
from tests.partnership.factories import EventFactory, RoadmapActionFactory, attended

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
T1 = Period.quarter(2026, 1)


def _at(y, m, d):
    return datetime(y, m, d, 10, tzinfo=PARIS)


def _oriented(world, person, service, status, answered=None, started=None, closed=None):
    sent = (answered or started or _at(2026, 1, 5)) - timedelta(days=2)
    return Orientation.objects.create(
        cite=world.cite,
        beneficiary=person,
        service=service,
        service_name=service.name,
        receiving_structure=world.asso,
        message="motif",
        sent_at=sent,
        deadline=sent + timedelta(days=10),
        status=status,
        answered_at=answered,
        started_at=started,
        closed_at=closed,
    )


@pytest.fixture
def funded(world):
    """Two funded actions: A1 (service S1 and roadmap action R1), A2 (service S2 only).

    p1: oriented to S1, accepted 05/02                                  → A1
    p2: named at an event of R1 on 10/03; oriented to S2, started 01/03  → A1 and A2
    p3: oriented to S1, refused 10/02                                   → none
    p4: oriented to S1, accepted 12/02 then abandoned before starting   → none
    p5: oriented to S2, completed 15/01 (accepted and started in 2025)  → A2
    p6: named at an event of R1 on 02/04, after the quarter              → none
    p7: oriented to S1, accepted 05/02, but identified in 2025          → A1 (not « repéré » in T1)
    Everyone but p7 is identified on 01/02/2026 at a forum, p5 by word of mouth. The café emploi of R1 on 10/03
    also counted 4 people without naming them; another café emploi (7 counted) belongs to no action.
    """
    call = CallFactory(cite=world.cite, year=2026)
    s1, s2 = ServiceFactory(structure=world.asso), ServiceFactory(structure=world.asso)
    r1 = RoadmapActionFactory(objective__cite=world.cite)
    a1 = ApplicationFactory(call=call, holder=world.asso, title="Auto-école sociale")
    a2 = ApplicationFactory(call=call, holder=world.asso, title="Garde d'enfants")
    FundedActionLink.objects.create(application=a1, service=s1, roadmap_action=r1)
    FundedActionLink.objects.create(application=a2, service=s2)
    # a third file with no link at all: no column
    FundedActionLink.objects.create(application=ApplicationFactory(call=call, holder=world.asso))

    def person(channel=ReperageChannel.FORUM, identified_on=date(2026, 2, 1)):
        return BeneficiaryFactory(
            cite=world.cite,
            responsible_structure=world.ft,
            identified_on=identified_on,
            reperage_channel=channel,
        )

    p1, p2, p3, p4, p6 = (person() for _ in range(5))
    p5 = person(ReperageChannel.WORD_OF_MOUTH)
    p7 = person(identified_on=date(2025, 10, 1))
    _oriented(world, p1, s1, Status.ACCEPTED, _at(2026, 2, 5))
    attended(EventFactory(cite=world.cite, roadmap_action=r1, date=date(2026, 3, 10), counted_total=4), p2)
    # an event of no funded action in the quarter
    EventFactory(cite=world.cite, date=date(2026, 3, 12), counted_total=7)
    _oriented(world, p2, s2, Status.STARTED, _at(2025, 12, 20), _at(2026, 3, 1))
    _oriented(world, p3, s1, Status.REFUSED, _at(2026, 2, 10))
    _oriented(world, p4, s1, Status.ABANDONED, _at(2026, 2, 12))
    _oriented(world, p5, s2, Status.COMPLETED, _at(2025, 11, 1), _at(2025, 11, 10), _at(2026, 1, 15))
    attended(EventFactory(cite=world.cite, roadmap_action=r1, date=date(2026, 4, 2)), p6)
    _oriented(world, p7, s1, Status.ACCEPTED, _at(2026, 2, 5))
    for who in (p1, p7):
        Outcome.objects.create(
            beneficiary=who,
            type=OutcomeType.SUSTAINABLE_JOB,
            outcome_on=date(2026, 3, 1),
            recorded_by=world.coordinator.user,
        )
    return world, str(a1.pk), str(a2.pk)


def test_people_identified_by_funded_action(funded):
    world, a1, a2 = funded
    table = REGISTRY["people.identified"].run(Query((world.cite.pk,), T1, Cut.ACTION))
    assert table.cut_supported
    assert table.cells == {
        (ReperageChannel.FORUM, a1): 2,  # p1, p2
        (ReperageChannel.FORUM, a2): 1,  # p2
        (ReperageChannel.WORD_OF_MOUTH, a2): 1,  # p5
    }
    assert [key for key, _ in table.columns] == [a1, a2]
    assert table.columns[0][1].endswith("— Auto-école sociale")
    # p2 is in both columns: the columns do not add up, no total is given
    assert not table.indicator.additive
    assert REGISTRY["people.identified"].additive
    shown = exact(table)
    assert shown.row_totals == {} and shown.total is None


def test_outcomes_and_accompaniment_by_funded_action(funded):
    world, a1, a2 = funded
    q = Query((world.cite.pk,), T1, Cut.ACTION)
    outcomes = REGISTRY["outcomes.by_type"].run(q)
    # sustainable jobs on 01/03 of p1 and p7, both reached by A1
    assert outcomes.value(OutcomeType.SUSTAINABLE_JOB, a1) == 2
    assert outcomes.value("total", a1) == 2
    assert outcomes.value("total", a2) == 0
    accompanied = REGISTRY["people.accompanied_hooked"].run(q)
    # all seven have an open pathway in T1; A1 reached p1, p2, p7; A2 reached p2, p5
    assert accompanied.value("accompanied", a1) == 3
    assert accompanied.value("accompanied", a2) == 2


def test_a_query_for_one_action_and_no_funded_action(funded, world):
    world, a1, a2 = funded
    from citemploi.reporting.indicators.base import Query as Q

    only = REGISTRY["people.identified"].run(Q((world.cite.pk,), T1, Cut.ACTION, action_id=int(a2)))
    assert {col for _, col in only.cells} == {a2}
    other = REGISTRY["people.identified"].run(Query((world.other_cite.pk,), T1, Cut.ACTION))
    assert other.cells == {} and other.columns == []


def test_the_cut_is_protected_for_steering(funded):
    world, a1, _ = funded
    table = REGISTRY["people.identified"].run(Query((world.cite.pk,), T1, Cut.ACTION))
    shown = protect(table, audience=STEERING, cite_id=world.cite.pk)
    # every count is 1 or 2, under 11: all hidden, the zeros shown
    assert shown.cells[(ReperageChannel.FORUM, a1)] is None
    assert shown.cells[(ReperageChannel.SELF, a1)] == 0


def test_counts_are_one_group_by_per_indicator(funded, django_assert_num_queries):
    world, _, _ = funded
    q = Query((world.cite.pk,), T1, Cut.ACTION)
    # the funded actions, one GROUP BY, the columns' labels
    with django_assert_num_queries(3):
        table = REGISTRY["people.identified"].run(q)
    assert isinstance(table, Table)


def test_the_dashboard_offers_the_funded_action_cut(client, funded):
    world, a1, _ = funded
    login_as(client, world.coordinator)
    response = client.get(reverse("reporting:home"), {"periode": "2026-T1", "ventilation": "action"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="action"' in html and "Action financée" in html
    blocks = {b.indicator.code: b for s in response.context["sections"] for b in s.blocks}
    assert blocks["people.identified"].shown.cells[(ReperageChannel.FORUM, a1)] == 2


def test_events_by_funded_action(funded):
    from citemploi.partnership.enums import EventKind

    world, a1, a2 = funded
    q = Query((world.cite.pk,), T1, Cut.ACTION)
    events = REGISTRY["events.count"].run(q)
    # the café emploi of R1 on 10/03 (the one on 02/04 is after the quarter, the other one has no action)
    assert events.cells == {(EventKind.CAFE_EMPLOI, a1): 1}
    participants = REGISTRY["events.participants"].run(q)
    # 4 counted + p2 named
    assert participants.cells == {(EventKind.CAFE_EMPLOI, a1): 5}
    assert REGISTRY["events.participants"].run(Query((world.cite.pk,), T1)).total == 5 + 7


def test_cohorts_by_funded_action(funded):
    from citemploi.cohorts.enums import MemberState
    from citemploi.cohorts.models import Cohort, CohortMember, MemberTransition
    from citemploi.partnership.models import Participation

    world, a1, a2 = funded
    p1 = Orientation.objects.get(
        status=Status.ACCEPTED, beneficiary__identified_on=date(2026, 2, 1)
    ).beneficiary  # A1
    p2 = Participation.objects.get(event__date=date(2026, 3, 10)).beneficiary  # A1 and A2
    cohort = Cohort.objects.create(
        cite=world.cite, name="Mobilité", start_date=date(2026, 1, 1), target_size=20
    )
    for person in (p1, p2):
        member = CohortMember.objects.create(
            cohort=cohort,
            beneficiary=person,
            proposing_structure=world.ft,
            proposed_on=date(2026, 2, 1),
            state=MemberState.INTEGRATED,
            integrated_on=date(2026, 2, 15),
        )
        for state, day in (
            (MemberState.PROPOSED, date(2026, 2, 1)),
            (MemberState.INTEGRATED, date(2026, 2, 15)),
        ):
            MemberTransition.objects.create(
                member=member, to_state=state, effective_on=day, actor_label="coordination"
            )
    q = Query((world.cite.pk,), T1, Cut.ACTION)
    funnel = REGISTRY["cohorts.funnel"].run(q)
    assert funnel.value(MemberState.PROPOSED, a1) == 2
    assert funnel.value(MemberState.PROPOSED, a2) == 1
    assert funnel.value("integrated_stock", a1) == 2
    # p1's sustainable job on 01/03, after his integration: a solution; p2 has none
    share = REGISTRY["cohorts.solution_share"].run(q)
    assert share.cells == {("share", a1): 50.0, ("share", a2): 0.0}
    assert share.denominators == {("share", a1): 2, ("share", a2): 1}
    assert share.numerators == {("share", a1): 1}
