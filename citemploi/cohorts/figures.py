"""Cohort figures (indicators.md "Cohorts and commission").

Funnel: for each state (proposed, examined, integrated, waiting, not retained, exited), the number of
distinct people whose membership reached that state in the period [start, end] (dates inclusive, on the
date the fact happened: the proposal, the session, the exit); plus the stock integrated at `end`: people
whose membership was integrated on `end` (integrated on or before, not exited on or before).
"""

from dataclasses import dataclass
from datetime import date

from citemploi.cohorts.enums import MemberState
from citemploi.cohorts.models import Cohort, MemberTransition

FUNNEL_STATES = [
    MemberState.PROPOSED,
    MemberState.EXAMINED,
    MemberState.INTEGRATED,
    MemberState.WAITING,
    MemberState.NOT_RETAINED,
    MemberState.EXITED,
]


@dataclass(frozen=True)
class FunnelStep:
    state: str
    label: str
    count: int


@dataclass(frozen=True)
class Funnel:
    start: date
    end: date
    steps: list[FunnelStep]
    stock_integrated: int
    target_size: int

    @property
    def target_share(self) -> int:
        """Stock integrated as a percentage of the target size (for the progress bar)."""
        if not self.target_size:
            return 0
        return min(100, round(100 * self.stock_integrated / self.target_size))

    def count(self, state: str) -> int:
        return next(s.count for s in self.steps if s.state == state)


def funnel(cohort: Cohort, start: date, end: date) -> Funnel:
    """One query: the transitions of the cohort's memberships up to `end`."""
    rows = list(
        MemberTransition.objects.filter(member__cohort=cohort, effective_on__lte=end)
        .order_by("effective_on", "at", "id")
        .values_list("member_id", "member__beneficiary_id", "to_state", "effective_on")
    )
    reached: dict[str, set[int]] = {s.value: set() for s in FUNNEL_STATES}
    last_state: dict[int, tuple[int, str]] = {}
    for member_id, person_id, state, on in rows:
        if on >= start and state in reached:
            reached[state].add(person_id)
        last_state[member_id] = (person_id, state)
    stock = {person for person, state in last_state.values() if state == MemberState.INTEGRATED}
    steps = [FunnelStep(s.value, str(s.label), len(reached[s.value])) for s in FUNNEL_STATES]
    return Funnel(
        start=start, end=end, steps=steps, stock_integrated=len(stock), target_size=cohort.target_size
    )
