"""The « action financée » cut of the indicators about people: who a funded action reached.

A funded action is a selected file of a call for projects whose agreement created its links
(`citemploi.calls.models.FundedActionLink`): a service in the directory and an action of the cité's roadmap.
A person is *reached* by it in the period when, in the period (dates in Europe/Paris):

- an orientation of the person to the action's service was accepted, started or completed (an orientation
  refused, expired or withdrawn does not count, nor one accepted then abandoned before it started: the
  person never came); or
- the person took part, named, in an event of the action's roadmap action.

It is the AAP report's definition of the people reached by a funded action (citemploi.calls.reached), read
over the indicator's period rather than the action's. A person reached by two actions is in both columns
(the columns do not add up), and people reached by none are in no column.

The computation stays aggregate: one GROUP BY over the indicator's own rows, one conditional distinct count
per funded action (a correlated EXISTS on the person), after one query listing the funded actions.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, Expression, F, OuterRef, Q, QuerySet

from citemploi.orientations.enums import Status
from citemploi.orientations.models import Orientation
from citemploi.partnership.models import Participation
from citemploi.reporting.indicators.base import Number, Period, Query
from citemploi.reporting.indicators.timestamps import local_day_bounds

#: orientation states in which the person was taken in by the service (abandoned: only once started)
TAKEN_IN = (Status.ACCEPTED, Status.STARTED, Status.COMPLETED)


@dataclass(frozen=True)
class FundedAction:
    application_id: int
    service_id: int | None
    roadmap_action_id: int | None


def funded_actions(q: Query) -> list[FundedAction]:
    """The funded actions of the asked cités that have a service or a roadmap action (one query)."""
    from citemploi.calls.models import FundedActionLink

    links = FundedActionLink.objects.filter(application__call__cite_id__in=q.cite_ids).filter(
        Q(service__isnull=False) | Q(roadmap_action__isnull=False)
    )
    if q.action_id:
        links = links.filter(application_id=q.action_id)
    return [
        FundedAction(*row)
        for row in links.order_by("application_id").values_list(
            "application_id", "service_id", "roadmap_action_id"
        )
    ]


def reached(action: FundedAction, start: date, end: date, person: str) -> Q:
    """The person of the outer row (`person`: the path of their id) was reached by `action` from `start` to
    `end` (`funded_actions` only lists actions with at least one link)."""
    conditions: list[Q] = []
    if action.service_id is not None:
        # the instants where the period's Paris days begin: no conversion of each row to its date
        day_start, day_end = local_day_bounds(Period(start, end))
        orientations = Orientation.objects.filter(
            Q(answered_at__gte=day_start, answered_at__lt=day_end)
            | Q(started_at__gte=day_start, started_at__lt=day_end)
            | Q(closed_at__gte=day_start, closed_at__lt=day_end, status=Status.COMPLETED),
            Q(status__in=TAKEN_IN) | Q(status=Status.ABANDONED, started_at__isnull=False),
            beneficiary_id=OuterRef(person),
            service_id=action.service_id,
        )
        conditions.append(Q(Exists(orientations)))
    if action.roadmap_action_id is not None:
        participations = Participation.objects.filter(
            beneficiary_id=OuterRef(person),
            event__roadmap_action_id=action.roadmap_action_id,
            event__date__gte=start,
            event__date__lte=end,
        )
        conditions.append(Q(Exists(participations)))
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return condition


def grouped_by_action(
    qs: QuerySet, category: Expression | str, q: Query, *, person: str
) -> dict[tuple[str, str], Number]:
    """People (distinct `person`) per (category, funded action reaching them in the period)."""
    actions = funded_actions(q)
    if not actions:
        return {}
    category_expr = F(category) if isinstance(category, str) else category
    aggregates = {
        f"_a{action.application_id}": Count(
            person, distinct=True, filter=reached(action, q.period.start, q.period.end, person)
        )
        for action in actions
    }
    rows = qs.order_by().annotate(_cat=category_expr).values("_cat").annotate(**aggregates)
    out: dict[tuple[str, str], Number] = {}
    for row in rows:
        cat = str(row["_cat"]) if row["_cat"] is not None else ""
        for action in actions:
            value = row[f"_a{action.application_id}"]
            if value:
                key = (cat, str(action.application_id))
                out[key] = out.get(key, 0) + value
    return out
