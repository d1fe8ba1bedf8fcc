"""Figures of events (indicators.md, "Events and actions").

Participants = people counted without being named + named participants. A named person is never part of
the counted figures (the form asks for the unnamed ones), so adding the two never counts anyone twice; and
a person is named at most once per event (unique participation). Over several events the figures are
participations (a person who came to two events counts at each); `distinct_named` gives the number of
different named people.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from citemploi.partnership.models import Event, Participation

#: (key, French label) of the participant figures, in display order
TRAITS: list[tuple[str, str]] = [
    ("total", "Participant·es"),
    ("young", "dont jeunes (moins de 26 ans)"),
    ("women", "dont femmes"),
    ("seniors", "dont seniors (50 ans et plus)"),
    ("qpv", "dont résident·es d'un QPV"),
]
KEYS = [key for key, _ in TRAITS]


@dataclass(frozen=True)
class FigureRow:
    key: str
    label: str
    counted: int
    named: int

    @property
    def total(self) -> int:
        return self.counted + self.named


@dataclass(frozen=True)
class ParticipantFigures:
    counted: dict[str, int]
    named: dict[str, int]

    @property
    def total(self) -> int:
        return self.counted["total"] + self.named["total"]

    def get(self, key: str) -> int:
        return self.counted[key] + self.named[key]

    @property
    def rows(self) -> list[FigureRow]:
        return [FigureRow(key, label, self.counted[key], self.named[key]) for key, label in TRAITS]


def counted_of(event: Event) -> dict[str, int]:
    return {
        "total": event.counted_total,
        "young": event.counted_young,
        "women": event.counted_women,
        "seniors": event.counted_seniors,
        "qpv": event.counted_qpv,
    }


def _named_aggregates(participations: QuerySet[Participation]) -> dict[str, int]:
    values = participations.aggregate(
        total=Count("id"),
        young=Count("id", filter=Q(age_band="jeunes")),
        women=Count("id", filter=Q(is_woman=True)),
        seniors=Count("id", filter=Q(age_band="seniors")),
        qpv=Count("id", filter=Q(qpv_resident=True)),
    )
    return {key: values[key] or 0 for key in KEYS}


def event_figures(event: Event) -> ParticipantFigures:
    """The participant figures of one event (from `with_named_figures` annotations when present)."""
    if hasattr(event, "named_total"):
        named = {key: getattr(event, f"named_{key}") for key in KEYS}
    else:
        named = _named_aggregates(Participation.objects.filter(event=event))
    return ParticipantFigures(counted_of(event), named)


@dataclass
class EventsSummary:
    """The figures of a set of events (a period, a kind, a QPV…), as a coordinator reports them."""

    events: int = 0
    participants: ParticipantFigures = field(
        default_factory=lambda: ParticipantFigures(dict.fromkeys(KEYS, 0), dict.fromkeys(KEYS, 0))
    )
    distinct_named: int = 0
    first_met: int = 0
    hours_delivered: Decimal = Decimal(0)
    coordination_hours: Decimal = Decimal(0)
    found: int = 0
    hooked: int = 0
    employed: int = 0


def summarise(events: QuerySet[Event]) -> EventsSummary:
    """Sum the figures of the events (two queries, whatever their number)."""
    ids = events.order_by().values("pk")
    sums = Event.objects.filter(pk__in=ids).aggregate(
        events=Count("id"),
        total=Sum("counted_total"),
        young=Sum("counted_young"),
        women=Sum("counted_women"),
        seniors=Sum("counted_seniors"),
        qpv=Sum("counted_qpv"),
        hours=Sum("hours_delivered"),
        coordination=Sum("coordination_hours"),
        found=Sum("found_count"),
        hooked=Sum("hooked_count"),
        employed=Sum("employed_count"),
    )
    participations = Participation.objects.filter(event__in=ids)
    named = participations.aggregate(
        total=Count("id"),
        young=Count("id", filter=Q(age_band="jeunes")),
        women=Count("id", filter=Q(is_woman=True)),
        seniors=Count("id", filter=Q(age_band="seniors")),
        qpv=Count("id", filter=Q(qpv_resident=True)),
        people=Count("beneficiary", distinct=True),
        erased=Count("id", filter=Q(beneficiary__isnull=True)),
        first_met=Count("id", filter=Q(first_met_here=True)),
    )
    return EventsSummary(
        events=sums["events"] or 0,
        participants=ParticipantFigures(
            {key: sums[key] or 0 for key in KEYS}, {key: named[key] or 0 for key in KEYS}
        ),
        # A participation whose file was erased is a person of its own: they cannot be matched any more.
        distinct_named=(named["people"] or 0) + (named["erased"] or 0),
        first_met=named["first_met"] or 0,
        hours_delivered=sums["hours"] or Decimal(0),
        coordination_hours=sums["coordination"] or Decimal(0),
        found=sums["found"] or 0,
        hooked=sums["hooked"] or 0,
        employed=sums["employed"] or 0,
    )
