"""Writes on events: the event itself (figures, organisers, partners) and its named participants.

Named participants are personal data: a person is attached only by who may see their file; registering a
new person met at the event creates their file (repérage channel: outreach event) or, when the cité already
knows them, records the attendance on the existing file without telling a user who may not see it anything
about that file.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.access import require
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.partners.models import Structure
from citemploi.partnership.enums import EventRole
from citemploi.partnership.models import Employer, Event, EventStructure, Participation, RoadmapAction
from citemploi.partnership.queries import events as queries
from citemploi.partnership.services.common import (
    STALE_MESSAGE,
    StaleEdit,
    check_fields,
    check_qpv,
    check_structures,
)
from citemploi.people import queries as people_queries
from citemploi.people import services as people_services
from citemploi.people.enums import Gender, ReperageChannel
from citemploi.people.models import Beneficiary, age_band_on

EVENT_FIELDS = [
    "kind",
    "title",
    "date",
    "place",
    "qpv",
    "description",
    "roadmap_action",
    "counted_total",
    "counted_young",
    "counted_women",
    "counted_seniors",
    "counted_qpv",
    "hours_delivered",
    "coordination_hours",
    "found_count",
    "hooked_count",
    "employed_count",
]

KNOWN_PERSON_MESSAGE = "Cette personne est déjà connue de la cité, sa présence est enregistrée."


def _check_counts(event: Event, named_total: int) -> None:
    """The breakdowns of the counted participants are parts of their total; results concern participants."""
    errors: dict[str, str] = {}
    total = event.counted_total
    for name, label in (
        ("counted_young", "jeunes"),
        ("counted_women", "femmes"),
        ("counted_seniors", "seniors"),
        ("counted_qpv", "résident·es d'un QPV"),
    ):
        if getattr(event, name) > total:
            errors[name] = (
                f"Le nombre de {label} ne peut pas dépasser le nombre de participant·es compté·es ({total})."
            )
    if "counted_young" not in errors and event.counted_young + event.counted_seniors > total:
        errors["counted_seniors"] = (
            f"Jeunes et seniors ensemble ({event.counted_young + event.counted_seniors}) dépassent le nombre de "
            f"participant·es compté·es ({total})."
        )
    everyone = total + named_total
    for name, label in (
        ("found_count", "personnes repérées"),
        ("hooked_count", "personnes raccrochées"),
        ("employed_count", "personnes en emploi"),
    ):
        if getattr(event, name) > everyone:
            errors[name] = (
                f"Le nombre de {label} ne peut pas dépasser le nombre total de participant·es ({everyone})."
            )
    if errors:
        raise ValidationError(errors)


def _check_links(
    ctx: ActingContext, data: dict[str, Any], employers: Iterable[Employer] | None
) -> list[Employer] | None:
    check_qpv(ctx, data.get("qpv"))
    action = data.get("roadmap_action")
    if (
        action is not None
        and not RoadmapAction.objects.filter(pk=action.pk, objective__cite_id=ctx.cite_id).exists()
    ):
        raise ValidationError({"roadmap_action": "Choisissez une action de la feuille de route de la cité."})
    if employers is None:
        return None
    items = list(employers)
    ids = {e.pk for e in items}
    if ids and Employer.objects.filter(pk__in=ids, cite_id=ctx.cite_id).count() != len(ids):
        raise ValidationError({"employers": "Choisissez des entreprises engagées dans la cité."})
    return items


def _structure_roles(
    ctx: ActingContext, organisers: Iterable[Structure], partners: Iterable[Structure]
) -> dict[int, str]:
    organisers = check_structures(ctx, organisers, "organisers")
    partners = check_structures(ctx, partners, "partners")
    both = {s.pk for s in organisers} & {s.pk for s in partners}
    if both:
        raise ValidationError(
            {"partners": "Une structure est soit organisatrice, soit partenaire, pas les deux."}
        )
    if not organisers:
        raise ValidationError({"organisers": "Indiquez au moins une structure organisatrice."})
    roles = {s.pk: EventRole.ORGANISER.value for s in organisers}
    roles |= {s.pk: EventRole.PARTNER.value for s in partners}
    if ctx.scope("event.record") == Scope.OWN_STRUCTURE and ctx.structure_id not in roles:
        raise ValidationError(
            {"organisers": "Votre structure doit être organisatrice ou partenaire de l'événement."}
        )
    return roles


def _sync_structures(event: Event, roles: dict[int, str]) -> dict[str, list]:
    current = {link.structure_id: link for link in event.structure_links.all()}
    before = {sid: link.role for sid, link in current.items()}
    if before == roles:
        return {}
    for sid, link in current.items():
        if sid not in roles:
            link.delete()
        elif link.role != roles[sid]:
            link.role = roles[sid]
            link.save(update_fields=["role"])
    EventStructure.objects.bulk_create(
        [
            EventStructure(event=event, structure_id=sid, role=role)
            for sid, role in roles.items()
            if sid not in current
        ]
    )
    return {
        "structures": [
            {str(k): v for k, v in sorted(before.items())},
            {str(k): v for k, v in sorted(roles.items())},
        ]
    }


@transaction.atomic
def create_event(
    *,
    ctx: ActingContext,
    data: dict[str, Any],
    organisers: Iterable[Structure] = (),
    partners: Iterable[Structure] = (),
    employers: Iterable[Employer] = (),
) -> Event:
    """Record an event of the cité. A référent or partner member records the events of their own structure:
    it is added as organiser when they name neither it as organiser nor as partner."""
    require(ctx, "event.record")
    check_fields(data, EVENT_FIELDS)
    organisers = list(organisers)
    partners = list(partners)
    if (
        ctx.scope("event.record") == Scope.OWN_STRUCTURE
        and ctx.structure is not None
        and ctx.structure_id not in {s.pk for s in organisers + partners}
    ):
        organisers.append(ctx.structure)
    roles = _structure_roles(ctx, organisers, partners)
    employer_list = _check_links(ctx, data, employers) or []
    event = Event(cite_id=ctx.cite_id, created_by=ctx.user, **data)
    event.full_clean(exclude=["cite", "created_by"])
    _check_counts(event, named_total=0)
    event.save()
    _sync_structures(event, roles)
    event.employers.set(employer_list)
    audit.log(
        ctx,
        "event.create",
        event,
        changes={k: [None, audit._jsonable(v)] for k, v in data.items()}
        | {"structures": [None, {str(k): v for k, v in sorted(roles.items())}]},
    )
    return event


def _refresh_age_bands(event: Event) -> None:
    """Age bands are taken on the event date: recompute them when the date changes."""
    for participation in event.participations.select_related("beneficiary").filter(beneficiary__isnull=False):
        band = age_band_on(participation.beneficiary.birth_date, event.date) or ""
        if band != participation.age_band:
            participation.age_band = band
            participation.save(update_fields=["age_band"])


@transaction.atomic
def update_event(
    *,
    ctx: ActingContext,
    event: Event,
    data: dict[str, Any],
    organisers: Iterable[Structure] | None = None,
    partners: Iterable[Structure] | None = None,
    employers: Iterable[Employer] | None = None,
    expected_version: int | None = None,
) -> Event:
    require(ctx, "event.record")
    if not queries.can_record(ctx, event):
        raise PermissionDenied("Seules la coordination et les structures de l'événement le modifient.")
    check_fields(data, EVENT_FIELDS)
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(STALE_MESSAGE)
    roles = None
    if organisers is not None or partners is not None:
        current = list(locked.structure_links.select_related("structure"))
        if organisers is None:
            organisers = [link.structure for link in current if link.role == EventRole.ORGANISER]
        if partners is None:
            partners = [link.structure for link in current if link.role == EventRole.PARTNER]
        roles = _structure_roles(ctx, organisers, partners)
    employer_list = _check_links(ctx, data, employers)
    before = audit.snapshot(locked, list(data))
    for name, value in data.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["cite", "created_by"])
    _check_counts(locked, named_total=locked.participations.count())
    changes = audit.diff(locked, before, list(data))
    if roles is not None:
        changes |= _sync_structures(locked, roles)
    if employer_list is not None:
        old = sorted(locked.employers.values_list("pk", flat=True))
        new = sorted(e.pk for e in employer_list)
        if old != new:
            locked.employers.set(employer_list)
            changes["employers"] = [old, new]
    if not changes:
        return locked
    if "date" in changes:
        _refresh_age_bands(locked)
    fields = [f for f in changes if f in EVENT_FIELDS]
    locked.version = F("version") + 1
    locked.save(update_fields=[*fields, "version", "updated_at"])
    locked.refresh_from_db(fields=["version"])
    audit.log(ctx, "event.update", locked, changes=changes)
    return locked


def _record(
    ctx: ActingContext, event: Event, beneficiary: Beneficiary, *, first_met_here: bool
) -> tuple[Participation, bool]:
    """The person's participation in the event (created if needed), with its anonymous statistics."""
    existing = Participation.objects.filter(event=event, beneficiary=beneficiary).first()
    if existing is not None:
        return existing, False
    participation = Participation.objects.create(
        event=event,
        beneficiary=beneficiary,
        is_woman=beneficiary.gender == Gender.FEMALE,
        age_band=age_band_on(beneficiary.birth_date, event.date) or "",
        qpv_resident=beneficiary.qpv_id is not None,
        first_met_here=first_met_here,
        recorded_by=ctx.user,
    )
    audit.log(
        ctx,
        "event.participant_add",
        participation,
        beneficiary_id=beneficiary.pk,
        changes={
            "event": [None, f"{event.title} ({event.date:%d/%m/%Y})"],
            "first_met_here": [None, first_met_here],
        },
    )
    return participation, True


def _check_participants_access(ctx: ActingContext, event: Event) -> None:
    require(ctx, "event.participants")
    if not queries.can_manage_participants(ctx, event):
        raise PermissionDenied("Cet événement ne relève pas de votre cité.")


@transaction.atomic
def add_participant(*, ctx: ActingContext, event: Event, beneficiary: Beneficiary) -> Participation:
    """Record that a person the user may see attended the event (the attendance shows on their file)."""
    _check_participants_access(ctx, event)
    if not people_queries.can(ctx, "beneficiary.view", beneficiary):
        raise PermissionDenied("Vous ne pouvez pas inscrire cette personne.")
    participation, created = _record(ctx, event, beneficiary, first_met_here=False)
    if not created:
        raise ValidationError("Cette personne est déjà inscrite parmi les participant·es.")
    return participation


@dataclass(frozen=True)
class Registration:
    """The outcome of registering a person met at an event.

    - `created`: a new file was created, the event is how the person was found;
    - `existing_visible`: the cité already knew the person and the user may see their file: attached;
    - `existing_hidden`: the cité already knew the person but the user may not see their file: the attendance
      is recorded on it, and nothing else is said (`beneficiary` and `participation` stay empty).
    """

    outcome: str
    beneficiary: Beneficiary | None = None
    participation: Participation | None = None

    @property
    def message(self) -> str:
        if self.outcome == "created":
            return (
                f"La fiche de {self.beneficiary} a été créée (repérage lors de l'événement) "
                "et sa présence est enregistrée."
            )
        if self.outcome == "existing_visible":
            return f"{self.beneficiary} avait déjà une fiche dans la cité : sa présence y est enregistrée."
        return KNOWN_PERSON_MESSAGE


@transaction.atomic
def register_new_participant(
    *,
    ctx: ActingContext,
    event: Event,
    data: dict[str, Any],
    responsible_structure: Structure | None = None,
) -> Registration:
    """Register a person met at the event: create their file, found through the event (repérage channel:
    outreach event, identified on the event date), ready for a référent of the responsible structure to take
    over; or, when the cité already has their file, record the attendance there without revealing it."""
    _check_participants_access(ctx, event)
    require(ctx, "beneficiary.create")
    data = dict(data)
    data["reperage_channel"] = ReperageChannel.OUTREACH_EVENT
    data.setdefault("identified_on", min(event.date, timezone.localdate()))
    try:
        beneficiary = people_services.create_beneficiary(
            ctx=ctx, data=data, responsible_structure=responsible_structure
        )
    except people_services.DuplicateIdentity as duplicate:
        participation, _ = _record(ctx, event, duplicate.existing, first_met_here=False)
        if duplicate.visible:
            return Registration("existing_visible", duplicate.existing, participation)
        return Registration("existing_hidden")
    participation, _ = _record(ctx, event, beneficiary, first_met_here=True)
    return Registration("created", beneficiary, participation)


@transaction.atomic
def remove_participant(*, ctx: ActingContext, participation: Participation) -> None:
    """Remove a named participant the user may see (recorded by mistake). Their file stays."""
    event = participation.event
    _check_participants_access(ctx, event)
    beneficiary = participation.beneficiary
    if beneficiary is None or not people_queries.can(ctx, "beneficiary.view", beneficiary):
        raise PermissionDenied("Vous ne pouvez pas retirer cette personne.")
    participation.delete()
    audit.log(
        ctx,
        "event.participant_remove",
        event,
        beneficiary_id=beneficiary.pk,
        changes={"event": [f"{event.title} ({event.date:%d/%m/%Y})", None]},
    )
