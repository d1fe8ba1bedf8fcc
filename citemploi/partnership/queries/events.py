"""Reads of events and of their participants.

Privacy rules for named participants (domain.md §6):
- the list of an event's named participants shows only the people whose file the viewer may see
  (`people.queries.beneficiaries_for`), and only to roles allowed `event.participants`; the others are
  counted as "autres participant·es", without any detail;
- steering members see the figures, never a name;
- every list of names shown is written to the audit log, so each person's right-of-access export lists it.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.partnership.enums import EventRole
from citemploi.partnership.models import Event, EventStructure, Participation
from citemploi.partnership.queries.common import get_or_404, in_cite
from citemploi.people import queries as people_queries
from citemploi.people.models import Beneficiary


def events_for(ctx: ActingContext, action: str = "event.view") -> QuerySet[Event]:
    """Events of the acting cité; for `event.record` with the own-structure scope, the events the acting
    structure organises or takes part in."""
    qs = in_cite(ctx, Event.objects.all(), action)
    if ctx.membership is not None and ctx.scope(action) == Scope.OWN_STRUCTURE:
        if ctx.structure_id is None:
            return qs.none()
        qs = qs.filter(
            Exists(EventStructure.objects.filter(event=OuterRef("pk"), structure_id=ctx.structure_id))
        )
    return qs


def access_event_for(ctx: ActingContext, pk: int | str, action: str = "event.view") -> Event:
    require(ctx, action)
    return get_or_404(events_for(ctx, action).select_related("qpv", "roadmap_action"), pk)


def access_event_detail_for(ctx: ActingContext, pk: int | str) -> Event:
    """The event with its named figures and structures, for its page."""
    require(ctx, "event.view")
    qs = with_structures(with_named_figures(events_for(ctx))).select_related("qpv", "roadmap_action")
    return get_or_404(qs, pk)


def can_record(ctx: ActingContext, event: Event) -> bool:
    """Whether the acting context may change the event (its figures, organisers, partners)."""
    scope = ctx.scope("event.record") if ctx.membership else Scope.NONE
    if scope == Scope.CITE:
        return event.cite_id == ctx.cite_id
    if scope == Scope.OWN_STRUCTURE:
        return (
            event.cite_id == ctx.cite_id
            and ctx.structure_id is not None
            and event.structure_links.filter(structure_id=ctx.structure_id).exists()
        )
    return False


def can_manage_participants(ctx: ActingContext, event: Event) -> bool:
    return ctx.membership is not None and ctx.can("event.participants") and event.cite_id == ctx.cite_id


def with_named_figures(qs: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate each event with its named participants, in total and by trait (one join, no N+1)."""
    return qs.annotate(
        named_total=Count("participations", distinct=True),
        named_young=Count("participations", filter=Q(participations__age_band="jeunes"), distinct=True),
        named_women=Count("participations", filter=Q(participations__is_woman=True), distinct=True),
        named_seniors=Count("participations", filter=Q(participations__age_band="seniors"), distinct=True),
        named_qpv=Count("participations", filter=Q(participations__qpv_resident=True), distinct=True),
    )


def with_structures(qs: QuerySet[Event]) -> QuerySet[Event]:
    return qs.prefetch_related(
        Prefetch("structure_links", queryset=EventStructure.objects.select_related("structure"))
    )


def filter_events(qs: QuerySet[Event], params: dict[str, Any]) -> QuerySet[Event]:
    """Filters of the events list: kind, QPV of the place, period (dates inclusive), words of the title,
    structure (organiser or partner)."""
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    if params.get("qpv"):
        qs = qs.filter(qpv=params["qpv"])
    if params.get("date_from"):
        qs = qs.filter(date__gte=params["date_from"])
    if params.get("date_to"):
        qs = qs.filter(date__lte=params["date_to"])
    if params.get("q"):
        qs = qs.filter(title__icontains=params["q"])
    if params.get("structure"):
        qs = qs.filter(
            Exists(EventStructure.objects.filter(event=OuterRef("pk"), structure=params["structure"]))
        )
    return qs


def event_rows(ctx: ActingContext, params: dict[str, Any]) -> QuerySet[Event]:
    """The events list: filtered, newest first, with named figures and structures."""
    qs = filter_events(events_for(ctx), params).select_related("qpv")
    return with_structures(with_named_figures(qs)).order_by("-date", "-id")


def structures_of(event: Event, role: str) -> list:
    """Organisers or partners of an event (from the prefetched links when present)."""
    return [link.structure for link in event.structure_links.all() if link.role == role]


def organisers_of(event: Event) -> list:
    return structures_of(event, EventRole.ORGANISER)


def partners_of(event: Event) -> list:
    return structures_of(event, EventRole.PARTNER)


@dataclass
class ParticipantList:
    """What a viewer may know of an event's named participants."""

    #: participations of people the viewer may see, with their beneficiary loaded
    visible: list[Participation]
    #: named participants the viewer may not see (or every named participant for roles without names)
    others: int
    #: whether the viewer may see names at all
    names_allowed: bool

    @property
    def total(self) -> int:
        return len(self.visible) + self.others


def participants_for(ctx: ActingContext, event: Event, *, log_read: bool = True) -> ParticipantList:
    """The named participants of an event the viewer may see; the others only counted."""
    all_count = getattr(event, "named_total", None)  # from `with_named_figures` when the page loaded it
    if all_count is None:
        all_count = event.participations.count()
    if not can_manage_participants(ctx, event):
        return ParticipantList([], all_count, names_allowed=False)
    visible_people = people_queries.beneficiaries_for(ctx, "beneficiary.view").values("pk")
    visible = list(
        event.participations.filter(beneficiary__in=visible_people)
        .select_related("beneficiary__qpv", "recorded_by")
        .order_by("beneficiary__last_name", "beneficiary__first_name", "id")
    )
    if log_read and visible:
        people_queries.log_list(
            ctx,
            [p.beneficiary for p in visible if p.beneficiary is not None],
            purpose="event_participants",
            filters={"event": event.pk},
        )
    return ParticipantList(visible, all_count - len(visible), names_allowed=True)


def access_participation_for(ctx: ActingContext, event: Event, pk: int | str) -> Participation:
    """A participation of the event whose person the viewer may see (404 otherwise)."""
    require(ctx, "event.participants")
    if not can_manage_participants(ctx, event):
        raise Http404("Introuvable.")
    visible_people = people_queries.beneficiaries_for(ctx, "beneficiary.view").values("pk")
    return get_or_404(
        event.participations.filter(beneficiary__in=visible_people).select_related("beneficiary"), pk
    )


@dataclass
class AttendedEvent:
    event: Event
    first_met_here: bool
    recorded_at: Any


def attended_events_for(ctx: ActingContext, beneficiary: Beneficiary) -> list[AttendedEvent]:
    """The events a person attended, newest first, for their file.

    Empty when the viewer may not see the person or the cité's events. The person's page reads the file
    through `people.queries.access_beneficiary_for` first (which audits the read).
    """
    if not ctx.can("event.view") or beneficiary.cite_id != ctx.cite_id:
        return []
    if not people_queries.can(ctx, "beneficiary.view", beneficiary):
        return []
    rows = (
        Participation.objects.filter(beneficiary=beneficiary, event__cite_id=ctx.cite_id)
        # the file shows the event's title, kind and date: not its QPV, whose contour (a GeoJSON of tens of kB)
        # would be read and parsed for every row
        .select_related("event")
        .order_by("-event__date", "-event_id")
    )
    return [AttendedEvent(p.event, p.first_met_here, p.recorded_at) for p in rows]


def search_people_to_add(ctx: ActingContext, event: Event, words: str, limit: int = 20) -> list[Beneficiary]:
    """People the viewer may see, matching the words, who are not yet participants of the event.

    The rows shown are audited as a list read.
    """
    if not can_manage_participants(ctx, event) or not words.strip():
        return []
    qs = people_queries.filter_beneficiaries(
        people_queries.beneficiaries_for(ctx, "beneficiary.view"), {"q": words}
    )
    rows = list(
        qs.exclude(participations__event=event)
        .select_related("qpv")
        .order_by("last_name", "first_name", "id")[:limit]
    )
    if rows:
        people_queries.log_list(ctx, rows, purpose="event_search", filters={"event": event.pk, "q": words})
    return rows
