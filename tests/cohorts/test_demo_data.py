"""The demo cohorts: two cohorts of the Amiens demo cité, candidates in every state, two closed sessions."""

from datetime import date, timedelta

from citemploi.cohorts.enums import MemberState, SessionStatus
from citemploi.cohorts.models import Cohort, CohortMember, CommissionSession
from citemploi.demo.builder import build_amiens

TODAY = date.today() - timedelta(days=3)


def test_demo_cohorts_have_candidates_in_every_state_and_two_past_sessions(db):
    summary = build_amiens(seed=2023, today=TODAY)
    assert summary.extra["cohortes"] == 2 and summary.extra["séances de commission"] == 3
    assert set(Cohort.objects.values_list("name", flat=True)) == {
        "Femmes demandeuses d'emploi de longue durée",
        "Jeunes en CEJ",
    }
    states = set(CohortMember.objects.values_list("state", flat=True))
    assert states >= {s.value for s in MemberState} - {MemberState.EXAMINED}
    closed = CommissionSession.objects.filter(status=SessionStatus.CLOSED)
    assert closed.count() == 2 and all(s.held_on < TODAY for s in closed)
    assert CommissionSession.objects.filter(status=SessionStatus.PREPARING, agenda__isnull=False).exists()
