"""Extension point: the signals of a dropping-out risk listed on each référent's home page.

Each domain registers the signals it knows (no contact for 30 days, a barrier not addressed, an
orientation without answer, a follow-up check due…) in its AppConfig.ready(). A signal receives the
acting context and the queryset of people the home page is about (already restricted by the access
helpers) and returns, for the people concerned, short French details ("sans contact depuis 42 jours").
It must not widen the queryset: it only filters it.

A signal also gives its `condition`: the same rule as a filter on people (a `Q`, usually an EXISTS on its
own table correlated with the person, served by an index starting with the person). The home page filters
and paginates the people at risk with the conditions, in the database, and asks `find` for the details of
the people of the page only: a fixed number of queries whatever the number of people. A signal without a
condition still works, but its `find` then runs over every person of the list.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from citemploi.core.context import ActingContext
from citemploi.people.models import Beneficiary


@dataclass(frozen=True)
class RiskSignal:
    code: str
    #: French label of the signal ("Sans contact depuis 30 jours")
    label: str
    find: Callable[[ActingContext, QuerySet[Beneficiary]], dict[int, list[str]]]
    order: int = 100
    #: the people `find` raises the signal for, as a filter on Beneficiary; None from the callable when the
    #: acting user may not see this signal (then `find` returns nothing either)
    condition: Callable[[ActingContext], Q | None] | None = None


_SIGNALS: dict[str, RiskSignal] = {}


def register_risk_signal(signal: RiskSignal) -> None:
    _SIGNALS[signal.code] = signal


def risk_signals() -> list[RiskSignal]:
    return sorted(_SIGNALS.values(), key=lambda s: (s.order, s.code))


def risks_for(
    ctx: ActingContext, people: QuerySet[Beneficiary]
) -> dict[int, list[tuple[RiskSignal, list[str]]]]:
    """beneficiary id → the signals raised for them, with their details."""
    found: dict[int, list[tuple[RiskSignal, list[str]]]] = {}
    for signal in risk_signals():
        for beneficiary_id, details in signal.find(ctx, people).items():
            found.setdefault(beneficiary_id, []).append((signal, details))
    return found


def at_risk(ctx: ActingContext, people: QuerySet[Beneficiary]) -> QuerySet[Beneficiary]:
    """The people of `people` for whom at least one signal is raised, filtered in the database (one query
    when evaluated; a signal without a condition adds the queries of its `find`)."""
    raised = Q(pk__in=[])
    for signal in risk_signals():
        if signal.condition is None:
            raised |= Q(pk__in=list(signal.find(ctx, people)))
            continue
        condition = signal.condition(ctx)
        if condition is not None:
            raised |= condition
    return people.filter(raised)
