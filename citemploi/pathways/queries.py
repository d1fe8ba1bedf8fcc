"""Reads of the pathways domain: the only way screens, the API, panels and risk signals read a diagnostic.

Rules:
- a person's pathway is read by whoever may do `pathway.view` on the person (people.queries scopes: the
  coordination for the cité, a référent for the people their structure follows);
- a sensitive barrier (health, disability, justice, addiction), and the objectives and actions linked to one,
  are shown only to those who may see the person's sensitive data (`beneficiary.view_sensitive`, the rule of
  people.queries.sensitive_for); for everyone else they do not exist, counts included;
- a sensitive structure is masked as in the person's file;
- absent and forbidden give the same 404.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.context import ActingContext
from citemploi.core.text import fold
from citemploi.offer import queries as offer_queries
from citemploi.offer.enums import Public
from citemploi.offer.models import Service, ServicePublic, ServiceTheme, stale_cutoff
from citemploi.offer.referentials import BARRIERS_BY_CODE, Barrier
from citemploi.pathways.enums import (
    OPEN_BARRIER_STATES,
    PENDING_ACTION_STATUSES,
    BarrierState,
    PlanObjectiveStatus,
)
from citemploi.pathways.models import BarrierRecord, HandOver, Objective, PlanAction, Situation
from citemploi.people import queries as people_queries
from citemploi.people.enums import AgeBand, EmploymentStatus, Gender
from citemploi.people.models import Beneficiary

#: a barrier still "identified" this many days after it was identified, with no action, is a dropping-out risk
UNADDRESSED_AFTER_DAYS = 30
#: suggested services shown per barrier (the others are counted)
SUGGESTIONS_PER_BARRIER = 5


@dataclass(frozen=True)
class Pathway:
    """A person whose pathway the acting context may read, and whether it sees sensitive barriers."""

    beneficiary: Beneficiary
    sees_sensitive: bool


def people_for(ctx: ActingContext, action: str = "pathway.view") -> QuerySet[Beneficiary]:
    return people_queries.beneficiaries_for(ctx, action)


def sees_sensitive(ctx: ActingContext, beneficiary: Beneficiary) -> bool:
    """The rule of people.queries.sensitive_for: the person's responsible référent only."""
    return people_queries.can(ctx, "beneficiary.view_sensitive", beneficiary)


def access_pathway_for(
    ctx: ActingContext, pk: int | str, action: str = "pathway.view", *, log_read: bool = True
) -> Pathway:
    """The person's pathway if the acting context may do `action` on it; Http404 otherwise (read audited)."""
    b = people_queries.access_beneficiary_for(ctx, pk, action, log_read=log_read)
    return Pathway(b, sees_sensitive(ctx, b))


def _visible(qs: QuerySet, pathway: Pathway, field_name: str = "sensitive") -> QuerySet:
    return qs if pathway.sees_sensitive else qs.filter(**{field_name: False})


def barriers_of(pathway: Pathway) -> QuerySet[BarrierRecord]:
    return _visible(BarrierRecord.objects.filter(beneficiary=pathway.beneficiary), pathway).select_related(
        "situation", "identified_by", "identified_by_structure"
    )


def access_barrier_for(pathway: Pathway, pk: int | str) -> BarrierRecord:
    try:
        return barriers_of(pathway).get(pk=pk)
    except (BarrierRecord.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404("Introuvable.") from exc


def objectives_of(pathway: Pathway) -> QuerySet[Objective]:
    """Objectives with their visible barriers and their actions (three queries)."""
    return _visible(Objective.objects.filter(beneficiary=pathway.beneficiary), pathway).prefetch_related(
        Prefetch("barriers", queryset=_visible(BarrierRecord.objects.order_by("id"), pathway)),
        Prefetch(
            "actions",
            queryset=PlanAction.objects.select_related(
                "owner_structure", "owner_membership__user", "owner_membership__structure"
            ).order_by("due_on", "id"),
        ),
    )


def access_objective_for(pathway: Pathway, pk: int | str) -> Objective:
    try:
        return _visible(Objective.objects.filter(beneficiary=pathway.beneficiary), pathway).get(pk=pk)
    except (Objective.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404("Introuvable.") from exc


def actions_of(pathway: Pathway) -> QuerySet[PlanAction]:
    return _visible(
        PlanAction.objects.filter(beneficiary=pathway.beneficiary), pathway, "objective__sensitive"
    ).select_related("objective", "owner_structure", "owner_membership__user", "owner_membership__structure")


def access_action_for(pathway: Pathway, pk: int | str) -> PlanAction:
    try:
        return actions_of(pathway).get(pk=pk)
    except (PlanAction.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404("Introuvable.") from exc


@dataclass(frozen=True)
class HandOverRow:
    handover: HandOver
    from_label: str
    to_label: str


def handovers_of(ctx: ActingContext, pathway: Pathway) -> list[HandOverRow]:
    """The person's hand-overs, oldest first; a sensitive structure is masked for those who may not know."""
    b = pathway.beneficiary
    return [
        HandOverRow(h, structure_label(ctx, h.from_structure, b), structure_label(ctx, h.to_structure, b))
        for h in HandOver.objects.filter(beneficiary=b).select_related(
            "from_structure", "to_structure", "from_referent", "to_referent", "by"
        )
    ]


def structure_label(ctx: ActingContext, structure: Any, beneficiary: Beneficiary) -> str:
    """A structure's name, or the mask of people.queries for a sensitive structure the user may not know."""
    if structure is None:
        return ""
    if people_queries.structure_visible(ctx, structure.pk, structure.sensitive, beneficiary):
        return str(structure.name)
    return people_queries.MASKED_STRUCTURE_LABEL


def log_sensitive_read(ctx: ActingContext, pathway: Pathway, records: list[BarrierRecord]) -> None:
    """Sensitive barriers shown: a distinct audit code, as for the person's sensitive attributes."""
    if any(r.sensitive for r in records):
        audit.log(ctx, "pathway.sensitive_read", pathway.beneficiary, beneficiary_id=pathway.beneficiary.pk)


def no_barriers() -> QuerySet[BarrierRecord]:
    """An empty queryset, for form fields filled once the person is known."""
    return BarrierRecord.objects.none()


def no_objectives() -> QuerySet[Objective]:
    return Objective.objects.none()


def situations_for(barrier: str | None = None, *, sensitive: bool = True) -> QuerySet[Situation]:
    """Active situations (the referential is not personal data); sensitive ones only for who may use them."""
    qs = Situation.objects.filter(active=True)
    if barrier:
        qs = qs.filter(barrier=barrier)
    if not sensitive:
        qs = qs.filter(sensitive=False)
    return qs.order_by("barrier", "label", "id")


# --- Summary for the person's file ---------------------------------------------------------------------------


def panel_summary(ctx: ActingContext, beneficiary: Beneficiary) -> dict[str, Any] | None:
    """Barriers and plan in a few figures, for the file panel (four queries at most, whatever the size)."""
    if not ctx.can("pathway.view") or not people_queries.can(ctx, "pathway.view", beneficiary):
        return None
    pathway = Pathway(beneficiary, sees_sensitive(ctx, beneficiary))
    today = timezone.localdate()
    records = list(barriers_of(pathway).values_list("barrier", "state"))
    states = Counter(state for _, state in records)
    open_labels = sorted(
        {BARRIERS_BY_CODE[code].label for code, state in records if state in OPEN_BARRIER_STATES},
    )
    actions = list(
        _visible(
            PlanAction.objects.filter(beneficiary=beneficiary), pathway, "objective__sensitive"
        ).values_list("status", "due_on")
    )
    pending = [due for status, due in actions if status in PENDING_ACTION_STATUSES]
    return {
        "barriers_total": len(records),
        "barriers_open": sum(states[s] for s in OPEN_BARRIER_STATES),
        "barriers_lifted": states[BarrierState.LIFTED],
        "open_labels": open_labels,
        "actions_total": len(actions),
        "actions_pending": len(pending),
        "actions_overdue": sum(1 for due in pending if due is not None and due < today),
    }


# --- Dropping-out risk ------------------------------------------------------------------------------------------


def _unaddressed(ctx: ActingContext, today: date) -> QuerySet[BarrierRecord]:
    """The barriers that raise the signal, sensitive ones only for those who may see them."""
    cutoff = today - timedelta(days=UNADDRESSED_AFTER_DAYS)
    visible = Q(sensitive=False) | Q(
        beneficiary__in=people_queries.beneficiaries_for(ctx, "beneficiary.view_sensitive").values("pk")
    )
    # "identified before the cut-off, or not addressed" written as a list of states (then the recent identified
    # ones left out), so that the index on (person, state) serves it rather than a scan of a state's rows
    return (
        BarrierRecord.objects.filter(visible)
        .filter(state__in=[BarrierState.IDENTIFIED, BarrierState.NOT_ADDRESSED])
        .exclude(state=BarrierState.IDENTIFIED, identified_on__gte=cutoff)
    )


def unaddressed_condition(ctx: ActingContext) -> Q | None:
    """The rule of `unaddressed_barriers` as a filter on people (an EXISTS per person, served by the index on
    (person, state))."""
    if not ctx.can("pathway.view"):
        return None
    return Q(Exists(_unaddressed(ctx, timezone.localdate()).filter(beneficiary=OuterRef("pk"))))


def unaddressed_barriers(ctx: ActingContext, people: QuerySet[Beneficiary]) -> dict[int, list[str]]:
    """People of `people` with a barrier identified more than 30 days ago and still without action, or marked
    not addressed. Sensitive barriers count only for those who may see them. Filters `people`, never widens it."""
    if not ctx.can("pathway.view"):
        return {}
    today = timezone.localdate()
    rows = (
        _unaddressed(ctx, today)
        .filter(beneficiary__in=people.values("pk"))
        .order_by("beneficiary_id", "identified_on", "id")
        .values_list("beneficiary_id", "barrier", "state", "identified_on")
    )
    found: dict[int, list[str]] = {}
    for beneficiary_id, code, state, identified_on in rows:
        label = BARRIERS_BY_CODE[code].label
        if state == BarrierState.NOT_ADDRESSED:
            detail = f"{label} : marqué non traité"
        else:
            detail = f"{label} : identifié il y a {(today - identified_on).days} jours, aucune action engagée"
        found.setdefault(beneficiary_id, []).append(detail)
    return found


# --- Suggested services -----------------------------------------------------------------------------------------


def person_publics(beneficiary: Beneficiary, *, disability: bool = False) -> set[str]:
    """The data·inclusion publics this person belongs to (a service naming none of them does not fit)."""
    publics = {Public.TOUS_PUBLICS.value}
    band = beneficiary.age_band
    if band == AgeBand.YOUNG:
        publics.add(Public.JEUNES)
    elif band == AgeBand.SENIOR:
        publics.add(Public.SENIORS)
    if beneficiary.gender == Gender.FEMALE:
        publics.add(Public.FEMMES)
    if beneficiary.ft_registered or beneficiary.employment_status == EmploymentStatus.UNEMPLOYED:
        publics.add(Public.DEMANDEURS_EMPLOI)
    if beneficiary.employment_status in (EmploymentStatus.PART_TIME_CONSTRAINED, EmploymentStatus.PRECARIOUS):
        publics.add(Public.ACTIFS)
    if beneficiary.employment_status == EmploymentStatus.STUDENT:
        publics.add(Public.ETUDIANTS)
    if beneficiary.rsa or beneficiary.ass:
        publics.add(Public.MINIMAS_SOCIAUX)
    if beneficiary.children_count or beneficiary.single_parent:
        publics.add(Public.FAMILLES)
    if beneficiary.qpv_id:
        publics.add(Public.RESIDENTS_QPV)
    if disability:
        publics.add(Public.HANDICAP)
    return {str(p) for p in publics}


def person_place(beneficiary: Beneficiary) -> offer_queries.Place:
    """Where the person lives: the communes of their QPV, or the commune of the cité named in their address
    (two queries). The cité gives the EPCI."""
    cite = beneficiary.cite
    communes = list(beneficiary.qpv.communes.all()) if beneficiary.qpv_id else []
    if not communes and beneficiary.city:
        wanted = fold(beneficiary.city)
        communes = [c for c in cite.communes.all() if fold(c.name) == wanted]
    return offer_queries.Place(communes=communes, cites=[cite])


@dataclass
class Suggestion:
    barrier: Barrier
    services: list[Service] = field(default_factory=list)
    more: int = 0


@dataclass
class Suggestions:
    by_barrier: dict[str, Suggestion]
    place_known: bool


def suggestions_for(
    ctx: ActingContext, pathway: Pathway, records: list[BarrierRecord], today: date | None = None
) -> Suggestions:
    """For each open barrier, the services of the cité's directory that lift it for this person.

    A service fits when one of its themes lifts the barrier, it names no public or one of the person's,
    its area covers the person's commune (or département, the cité's EPCI, the whole country; a service with
    no area counts when its structure is a partner of the cité), and it is open and not expired. Stale services
    (not updated for six months) come last. A fixed number of queries whatever the number of barriers.
    """
    today = today or timezone.localdate()
    wanted = sorted({r.barrier for r in records if r.is_open}, key=lambda c: BARRIERS_BY_CODE[c].number)
    b = pathway.beneficiary
    place = person_place(b)
    result = Suggestions(
        by_barrier={code: Suggestion(BARRIERS_BY_CODE[code]) for code in wanted},
        place_known=bool(place.communes),
    )
    if not wanted:
        return result
    disability = False
    if pathway.sees_sensitive:
        info = people_queries.sensitive_for(ctx, b)
        disability = bool(info and (info.rqth or info.aah))
    publics = person_publics(b, disability=disability)
    lifts = Q()
    for code in wanted:
        lifts |= Q(offer_queries.barrier_condition(BARRIERS_BY_CODE[code]))
    public_fits = Q(Exists(ServicePublic.objects.filter(service=OuterRef("pk"), code__in=publics))) | ~Q(
        Exists(ServicePublic.objects.filter(service=OuterRef("pk")))
    )
    services = list(
        offer_queries.services_for(ctx, "service.view")
        .filter(lifts)
        .filter(public_fits)
        .filter(offer_queries.current_condition(today))
        .filter(offer_queries.place_condition(place))
        .annotate(
            stale_rank=Case(
                When(last_updated_on__lt=stale_cutoff(today), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .select_related("structure")
        .prefetch_related(Prefetch("themes", queryset=ServiceTheme.objects.order_by("code")))
        .order_by("stale_rank", "name", "id")
    )
    for suggestion in result.by_barrier.values():
        fitting: list[Service] = [
            s for s in services if any(suggestion.barrier.is_lifted_by(t.code) for t in s.themes.all())
        ]
        suggestion.services = fitting[:SUGGESTIONS_PER_BARRIER]
        suggestion.more = max(0, len(fitting) - SUGGESTIONS_PER_BARRIER)
    return result


def objective_is_open(objective: Objective) -> bool:
    return objective.status == PlanObjectiveStatus.OPEN
