"""The call's report indicators as the platform records them: the people a funded action reached.

A funded action is a service of the directory and an action of the cité's roadmap (citemploi.calls.services
.funded). Over the action's period (the agreement's dates, else the file's), the platform counts
(indicators.md, "Events and actions" and "For a funded action"):

- **people reached**: people oriented to the action's service whose orientation was accepted, started or
  completed on a day of the period (an orientation accepted then abandoned before it started does not
  count: the person never came), plus the people named as participants of the events attached to the
  roadmap action and dated in the period — each person once, however many orientations and events — plus
  the people counted at those events without being named (they cannot be told apart, so they add up);
- **of whom** QPV residents, *jeunes* (under 26), women and *seniors* (50 and over): for a named person, on
  the date they were first reached in the period (the statistics kept on the participation for an event,
  the person's file for an orientation); for the unnamed, the events' counted figures;
- **people reaching or kept in training or employment**: among the named people reached, those with a job
  or training outcome dated in the period, or a 3-, 6- or 12-month check due in the period, recorded, that
  found them still in a job or training (the retention definition of the outcomes indicators);
- **hours delivered** and **coordination hours with partners**: summed over the roadmap action's events of
  the period (citemploi.partnership.figures).

The figures are counts only: no name ever leaves this module. The coordination reads them exactly; anybody
else (the holder, a reviewer) reads the counts of people through statistical secrecy (audience « financeurs »):
a count from 1 to the threshold − 1 is shown as « secret ».
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from citemploi.calls import queries
from citemploi.calls.models import Application, FundedActionLink, Report
from citemploi.core.context import ActingContext
from citemploi.orientations.enums import Status
from citemploi.orientations.models import Orientation
from citemploi.partnership.figures import summarise
from citemploi.partnership.models import Event, Participation
from citemploi.people.enums import AgeBand, Gender
from citemploi.people.models import age_band_on
from citemploi.secrecy.models import Audience
from citemploi.tracking.enums import CHECKED_TYPES
from citemploi.tracking.models import FollowUpCheck, Outcome

#: the counts of people (statistical secrecy applies to them), with their French labels
PEOPLE_FIGURES: list[tuple[str, str]] = [
    ("people", "Personnes touchées"),
    ("qpv_residents", "dont résident·es des QPV"),
    ("young", "dont jeunes (moins de 26 ans)"),
    ("women", "dont femmes"),
    ("seniors", "dont seniors (50 ans et plus)"),
    ("in_training_or_employment", "Personnes accédant ou maintenues en formation ou en emploi"),
]
#: the other figures (no person described: always exact)
OTHER_FIGURES: list[tuple[str, str]] = [
    ("events", "Événements de l'action"),
    ("hours_delivered", "Heures d'action réalisées (événements)"),
    ("coordination_hours", "Heures de coordination avec les partenaires"),
]
LABELS = dict(PEOPLE_FIGURES + OTHER_FIGURES)

#: the report's indicator each computed figure stands for (what « pré-remplir » fills in)
PREFILLED: dict[str, str] = {
    "qpv_residents": "qpv_residents",
    "young": "young",
    "women": "women",
    "seniors": "seniors",
    "people_in_training_or_employment": "in_training_or_employment",
    "coordination_hours": "coordination_hours",
}

#: orientation states in which the person was (or is) taken in by the service
_TAKEN_IN = (Status.ACCEPTED, Status.STARTED, Status.COMPLETED, Status.ABANDONED)


@dataclass(frozen=True)
class Traits:
    """What the figures need to know of one person, on the date they were first reached."""

    on: date
    qpv_resident: bool
    young: bool
    woman: bool
    senior: bool


@dataclass(frozen=True)
class ReachedFigures:
    starts_on: date
    ends_on: date
    service_id: int | None
    roadmap_action_id: int | None
    people: int
    qpv_residents: int
    young: int
    women: int
    seniors: int
    in_training_or_employment: int
    events: int
    hours_delivered: Decimal
    coordination_hours: Decimal

    @property
    def linked(self) -> bool:
        return self.service_id is not None or self.roadmap_action_id is not None


def action_period(app: Application) -> tuple[date, date] | None:
    """The action's period: the agreement's dates, else the file's; None when either end is unknown."""
    agreement = getattr(app, "agreement", None)
    starts, ends = (agreement.starts_on, agreement.ends_on) if agreement else (app.start_date, app.end_date)
    if starts is None or ends is None:
        return None
    return starts, ends


def _in(day: date | None, starts: date, ends: date) -> bool:
    return day is not None and starts <= day <= ends


def _local(moment: Any) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def _orientation_date(o: Orientation, starts: date, ends: date) -> date | None:
    """The first day of the period on which the orientation was accepted, started or completed."""
    if o.status == Status.ABANDONED and o.started_at is None:
        return None  # accepted, then the person never came
    days = [_local(o.answered_at), _local(o.started_at)]
    if o.status == Status.COMPLETED:
        days.append(_local(o.closed_at))
    inside = [d for d in days if d is not None and _in(d, starts, ends)]
    return min(inside) if inside else None


def _orientation_traits(o: Orientation, on: date) -> Traits:
    person = o.beneficiary
    band = age_band_on(person.birth_date, on)
    return Traits(
        on=on,
        qpv_resident=person.qpv_id is not None,
        young=band == AgeBand.YOUNG,
        woman=person.gender == Gender.FEMALE,
        senior=band == AgeBand.SENIOR,
    )


def _participation_traits(p: Participation) -> Traits:
    # The statistics kept on the participation, taken on the event's date (they survive the file's erasure).
    return Traits(
        on=p.event.date,
        qpv_resident=p.qpv_resident,
        young=p.age_band == AgeBand.YOUNG,
        woman=p.is_woman,
        senior=p.age_band == AgeBand.SENIOR,
    )


def _keep_first(people: dict[Any, Traits], key: Any, traits: Traits) -> None:
    known = people.get(key)
    if known is None or traits.on < known.on:
        people[key] = traits


def _in_training_or_employment(ids: Iterable[int], starts: date, ends: date) -> int:
    ids = list(ids)
    if not ids:
        return 0
    with_outcome = set(
        Outcome.objects.filter(
            beneficiary_id__in=ids, type__in=CHECKED_TYPES, outcome_on__gte=starts, outcome_on__lte=ends
        ).values_list("beneficiary_id", flat=True)
    )
    kept = set(
        FollowUpCheck.objects.filter(
            outcome__beneficiary_id__in=ids,
            due_on__gte=starts,
            due_on__lte=ends,
            recorded_on__isnull=False,
            still_in_job_or_training=True,
        ).values_list("outcome__beneficiary_id", flat=True)
    )
    return len(with_outcome | kept)


def reached_figures(app: Application) -> ReachedFigures | None:
    """The figures the platform records for a funded action over its period (None without a period)."""
    period = action_period(app)
    if period is None:
        return None
    starts, ends = period
    link = FundedActionLink.objects.filter(application=app).first()
    service_id = link.service_id if link else None
    action_id = link.roadmap_action_id if link else None

    # Named people: a beneficiary id, or a participation of its own once the file is erased.
    people: dict[Any, Traits] = {}
    if service_id is not None:
        orientations = (
            Orientation.objects.filter(service_id=service_id, cite_id=app.call.cite_id, status__in=_TAKEN_IN)
            .select_related("beneficiary")
            .order_by("id")
        )
        for o in orientations:
            on = _orientation_date(o, starts, ends)
            if on is not None:
                _keep_first(people, o.beneficiary_id, _orientation_traits(o, on))
    events = Event.objects.none()
    if action_id is not None:
        events = Event.objects.filter(
            roadmap_action_id=action_id, cite_id=app.call.cite_id, date__gte=starts, date__lte=ends
        )
        for p in Participation.objects.filter(event__in=events).select_related("event").order_by("id"):
            key = p.beneficiary_id if p.beneficiary_id is not None else ("erased", p.pk)
            _keep_first(people, key, _participation_traits(p))
    summary = summarise(events)
    counted = summary.participants.counted
    named = list(people.values())
    return ReachedFigures(
        starts_on=starts,
        ends_on=ends,
        service_id=service_id,
        roadmap_action_id=action_id,
        people=len(named) + counted["total"],
        qpv_residents=sum(t.qpv_resident for t in named) + counted["qpv"],
        young=sum(t.young for t in named) + counted["young"],
        women=sum(t.woman for t in named) + counted["women"],
        seniors=sum(t.senior for t in named) + counted["seniors"],
        in_training_or_employment=_in_training_or_employment(
            (k for k in people if isinstance(k, int)), starts, ends
        ),
        events=summary.events,
        hours_delivered=summary.hours_delivered,
        coordination_hours=summary.coordination_hours,
    )


# --- What each reader may see --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownFigures:
    """The figures as one reader may see them: None stands for a count under statistical secrecy."""

    figures: ReachedFigures
    values: dict[str, int | Decimal | None]
    #: True when the counts of people went through statistical secrecy
    protected: bool
    threshold: int | None

    @property
    def has_secret(self) -> bool:
        return any(v is None for v in self.values.values())


def exact(figures: ReachedFigures) -> ShownFigures:
    values: dict[str, int | Decimal | None] = {k: getattr(figures, k) for k, _ in PEOPLE_FIGURES}
    values |= {k: getattr(figures, k) for k, _ in OTHER_FIGURES}
    return ShownFigures(figures, values, protected=False, threshold=None)


def protected(figures: ReachedFigures, *, cite_id: int) -> ShownFigures:
    """The counts of people through statistical secrecy for the audience « financeurs » (each count on its
    own: they overlap, a person being both young and a woman); every suppression is logged."""
    from citemploi.secrecy import protect_table, threshold_for

    threshold = threshold_for(cite_id, Audience.FUNDERS)
    values: dict[str, int | Decimal | None] = {}
    for key, _ in PEOPLE_FIGURES:
        table = protect_table(
            {(key,): int(getattr(figures, key))},
            ("indicateur",),
            audience=Audience.FUNDERS,
            indicator=f"calls.reached.{key}",
            cite_id=cite_id,
            threshold=threshold,
        )
        values[key] = table.value((key,))
    values |= {k: getattr(figures, k) for k, _ in OTHER_FIGURES}
    return ShownFigures(figures, values, protected=True, threshold=threshold)


def sees_exact_figures(ctx: ActingContext, app: Application) -> bool:
    """The coordination of the file's cité (who validates reports) reads exact counts."""
    return queries.can(ctx, "report.validate", app)


def figures_for(ctx: ActingContext, app: Application) -> ShownFigures | None:
    """The figures as the acting context may see them (None when the action has no period yet)."""
    figures = reached_figures(app)
    if figures is None:
        return None
    if sees_exact_figures(ctx, app):
        return exact(figures)
    return protected(figures, cite_id=app.call.cite_id)


def comparison(report: Report, shown: ShownFigures) -> list[dict[str, Any]]:
    """The call's indicators side by side: declared by the holder, computed by the platform."""
    rows = [{"label": LABELS["people"], "declared": None, "computed": shown.values["people"]}]
    for report_field, key in PREFILLED.items():
        rows.append(
            {"label": LABELS[key], "declared": getattr(report, report_field), "computed": shown.values[key]}
        )
    hours = [a.hours_delivered for a in report.activity_results.all() if a.hours_delivered is not None]
    rows.append(
        {
            "label": "Heures d'action réalisées (toutes activités)",
            "declared": sum(hours, Decimal(0)) if hours else None,
            "computed": shown.values["hours_delivered"],
        }
    )
    rows.append({"label": LABELS["events"], "declared": None, "computed": shown.values["events"]})
    return rows
