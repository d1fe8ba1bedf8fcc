"""Events (actions d'animation et d'aller-vers) and committees of the acting cité.

Events: list, read, create, update (figures, organisers, partners), and their named participants (personal
data: only the people whose file the token's role may see are listed; the others are counted). Committees:
list, read, and their meetings. Writes go through citemploi.partnership.services.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import P, PathEx, Query, Schema, Status
from pydantic import Field

from citemploi.api.base import PolicyRouter, acting
from citemploi.api.errors import BadInput, Conflict
from citemploi.api.schemas import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    ConflictOut,
    EmptyAsNone,
    Id,
    InputSchema,
    IsoDate,
    PageOut,
    PageParams,
    Ref,
    Text,
    omittable,
    page,
)
from citemploi.core.access import not_found
from citemploi.core.context import ActingContext
from citemploi.partners import queries as partner_queries
from citemploi.partners.models import Structure
from citemploi.partnership import figures
from citemploi.partnership.enums import AttendanceStatus, CommitteeKind, CommitteeRole, EventKind
from citemploi.partnership.models import Committee, Employer, Event, Meeting, Participation, RoadmapAction
from citemploi.partnership.queries import committees as committee_queries
from citemploi.partnership.queries import employers as employer_queries
from citemploi.partnership.queries import events as queries
from citemploi.partnership.services import events as services
from citemploi.partnership.services.common import StaleEdit
from citemploi.people import queries as people_queries
from citemploi.people.enums import AgeBand
from citemploi.territory.models import QPV
from citemploi.territory.queries import qpvs_for

router = PolicyRouter(tags=["Partenariat : actions et instances"])

EventId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de l'action.", example=1)]
ParticipationId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la participation.", example=1)]
CommitteeId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de l'instance.", example=1)]

MAX_COUNT = 1_000_000
MAX_HOURS = 99_999.99
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Hours = Annotated[float, Field(ge=0, le=MAX_HOURS, allow_inf_nan=False)]
IdList = Annotated[list[Id], Field(max_length=200)]

KIND_DESCRIPTION = "Type d'action : " + " ; ".join(f"{k.value} : {k.label}" for k in EventKind)


# --- Schemas ------------------------------------------------------------------------------------------------


class PlaceQPVRef(Schema):
    code: str = Field(examples=["QN08003M"])
    name: str


class TraitCounts(Schema):
    total: int
    young: int = Field(description="Jeunes (moins de 26 ans le jour de l'action).")
    women: int
    seniors: int = Field(description="Seniors (50 ans et plus le jour de l'action).")
    qpv: int = Field(description="Résident·es d'un QPV.")


class ParticipantFigures(Schema):
    counted: TraitCounts = Field(description="Personnes comptées sans être nommées.")
    named: TraitCounts = Field(description="Participant·es nommé·es (inscrit·es sur leur fiche).")
    total: TraitCounts = Field(
        description="Somme des deux : une personne nommée n'est jamais comptée deux fois."
    )


class EventOut(Schema):
    id: int
    version: int = Field(description="Version, à renvoyer lors d'une modification.")
    kind: EventKind = Field(description=KIND_DESCRIPTION)
    title: str
    date: date
    place: str
    qpv: PlaceQPVRef | None = Field(description="QPV du lieu ; `null` : hors QPV.")
    description: str
    organisers: list[Ref]
    partners: list[Ref]
    employers: list[Ref]
    roadmap_action: Ref | None = Field(description="Action de la feuille de route que l'événement sert.")
    counted_total: int
    counted_young: int
    counted_women: int
    counted_seniors: int
    counted_qpv: int
    hours_delivered: float
    coordination_hours: float
    found_count: int = Field(description="Personnes repérées.")
    hooked_count: int = Field(description="Personnes raccrochées à une structure.")
    employed_count: int = Field(description="Personnes en emploi.")
    participants: ParticipantFigures
    created_at: datetime
    updated_at: datetime


class EventPage(PageOut):
    results: list[EventOut]


class EventFilters(PageParams):
    kind: Annotated[EventKind | None, EmptyAsNone] = Field(None, description=KIND_DESCRIPTION)
    qpv: Annotated[Text | None, EmptyAsNone] = Field(
        None, max_length=12, description="Code du QPV du lieu.", examples=["QN08003M"]
    )
    date_from: Annotated[IsoDate | None, EmptyAsNone] = Field(None, description="Depuis ce jour (inclus).")
    date_to: Annotated[IsoDate | None, EmptyAsNone] = Field(None, description="Jusqu'à ce jour (inclus).")
    structure: Annotated[int | None, EmptyAsNone] = Field(
        None, ge=1, le=MAX_ID, description="Structure organisatrice ou partenaire."
    )


class EventFields(InputSchema):
    """Fields of an event (all optional in a modification: the fields left out keep their value)."""

    kind: EventKind = omittable(description=KIND_DESCRIPTION)
    title: Text = omittable(min_length=1, max_length=250, examples=["Café emploi d'Amiens Nord"])
    date: IsoDate = omittable(description="Date (AAAA-MM-JJ).", examples=["2024-03-14"])
    place: Text = omittable(max_length=300, examples=["Centre social Alco"])
    qpv: Text | None = Field(None, max_length=12, description="Code d'un QPV de la cité ; `null` : hors QPV.")
    description: Text = omittable(max_length=5000)
    roadmap_action: int | None = Field(
        None, ge=1, le=MAX_ID, description="Identifiant d'une action de la feuille de route de la cité."
    )
    organisers: IdList = omittable(description="Identifiants des structures organisatrices.")
    partners: IdList = omittable(description="Identifiants des structures partenaires.")
    employers: IdList = omittable(description="Identifiants des entreprises engagées associées.")
    counted_total: Count = omittable(
        description="Participant·es compté·es sans être nommé·es (les nommé·es s'y ajoutent)."
    )
    counted_young: Count = omittable(description="Dont jeunes.")
    counted_women: Count = omittable(description="Dont femmes.")
    counted_seniors: Count = omittable(description="Dont seniors.")
    counted_qpv: Count = omittable(description="Dont résident·es d'un QPV.")
    hours_delivered: Hours = omittable(description="Heures d'action réalisées.")
    coordination_hours: Hours = omittable(description="Heures de coordination avec les partenaires.")
    found_count: Count = omittable()
    hooked_count: Count = omittable()
    employed_count: Count = omittable()


class EventCreateIn(EventFields):
    kind: EventKind = Field(description=KIND_DESCRIPTION)
    title: Text = Field(min_length=1, max_length=250, examples=["Café emploi d'Amiens Nord"])
    date: IsoDate = Field(description="Date (AAAA-MM-JJ).", examples=["2024-03-14"])


class EventPatchIn(EventFields):
    version: int = Field(ge=1, le=MAX_ID, description="Version lue avant la modification (`version`).")


class PersonRef(Schema):
    id: int
    first_name: str
    last_name: str


class ParticipantOut(Schema):
    id: int = Field(description="Identifiant de la participation.")
    beneficiary: PersonRef
    age_band: AgeBand | None = Field(description="Tranche d'âge le jour de l'action.")
    first_met_here: bool = Field(description="Repéré·e lors de cette action (fiche créée à cette occasion).")
    recorded_at: datetime


class ParticipantList(Schema):
    results: list[ParticipantOut] = Field(
        description="Les participant·es nommé·es dont vous pouvez voir la fiche."
    )
    others: int = Field(description="Les autres participant·es nommé·es, suivi·es par d'autres structures.")


class ParticipantIn(InputSchema):
    beneficiary: int = Field(ge=1, le=MAX_ID, description="Identifiant d'une personne que vous pouvez voir.")


class CommitteeMemberOut(Schema):
    name: str
    structure: Ref | None
    function: str
    role: CommitteeRole


class CommitteeOut(Schema):
    id: int
    kind: CommitteeKind
    name: str
    purpose: str
    is_active: bool
    members: list[CommitteeMemberOut] = Field(description="Membres actuel·les.")


class CommitteePage(PageOut):
    results: list[CommitteeOut]


class AttendanceOut(Schema):
    member: str
    structure: Ref | None
    status: AttendanceStatus


class MeetingOut(Schema):
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    agenda: str
    minutes: str
    cancelled: bool
    decisions: list[str]
    attendance: list[AttendanceOut]
    invitations_sent_at: datetime | None


class MeetingPage(PageOut):
    results: list[MeetingOut]


# --- Helpers ------------------------------------------------------------------------------------------------


def _traits(values: dict[str, int]) -> dict[str, int]:
    return {key: values[key] for key in figures.KEYS}


def event_out(event: Event) -> dict[str, Any]:
    result = figures.event_figures(event)
    links = list(event.structure_links.all())
    action = event.roadmap_action
    return {
        "id": event.pk,
        "version": event.version,
        "kind": event.kind,
        "title": event.title,
        "date": event.date,
        "place": event.place,
        "qpv": {"code": event.qpv.code, "name": event.qpv.name} if event.qpv else None,
        "description": event.description,
        "organisers": [
            {"id": link.structure_id, "name": link.structure.name}
            for link in links
            if link.role == "organiser"
        ],
        "partners": [
            {"id": link.structure_id, "name": link.structure.name} for link in links if link.role == "partner"
        ],
        "employers": [{"id": e.pk, "name": e.name} for e in event.employers.all()],
        "roadmap_action": {"id": action.pk, "name": action.title} if action else None,
        "counted_total": event.counted_total,
        "counted_young": event.counted_young,
        "counted_women": event.counted_women,
        "counted_seniors": event.counted_seniors,
        "counted_qpv": event.counted_qpv,
        "hours_delivered": float(event.hours_delivered),
        "coordination_hours": float(event.coordination_hours),
        "found_count": event.found_count,
        "hooked_count": event.hooked_count,
        "employed_count": event.employed_count,
        "participants": {
            "counted": _traits(result.counted),
            "named": _traits(result.named),
            "total": {key: result.get(key) for key in figures.KEYS},
        },
        "created_at": event.created_at,
        "updated_at": event.updated_at,
    }


def _events(ctx: ActingContext, action: str = "event.view"):
    return (
        queries.with_structures(queries.with_named_figures(queries.events_for(ctx, action)))
        .select_related("qpv", "roadmap_action")
        .prefetch_related("employers")
    )


def _read(ctx: ActingContext, event_id: int, action: str = "event.view") -> Event:
    event = _events(ctx, action).filter(pk=event_id).first()
    if event is None:
        raise not_found()
    return event


def _qpv(ctx: ActingContext, code: str, loc: list[str | int]) -> QPV:
    qpv = qpvs_for(ctx).filter(code=code.upper()).first()
    if qpv is None:
        raise BadInput(loc, "QPV inconnu dans la cité.")
    return qpv


def _structures(ctx: ActingContext, ids: list[int], field: str) -> list[Structure]:
    found = list(partner_queries.structures_for(ctx).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise BadInput(["body", field], "Structure inconnue ou non partenaire de la cité.")
    return found


def _employers(ctx: ActingContext, ids: list[int]) -> list[Employer]:
    found = list(employer_queries.employers_for(ctx).filter(pk__in=set(ids)))
    if len(found) != len(set(ids)):
        raise BadInput(["body", "employers"], "Entreprise inconnue dans la cité.")
    return found


def _roadmap_action(ctx: ActingContext, action_id: int) -> RoadmapAction:
    action = (
        RoadmapAction.objects.filter(pk=action_id, objective__cite_id=ctx.cite_id).first()
        if ctx.cite_id is not None
        else None
    )
    if action is None:
        raise BadInput(["body", "roadmap_action"], "Action de la feuille de route inconnue dans la cité.")
    return action


def _split(ctx: ActingContext, payload: EventFields) -> tuple[dict[str, Any], dict[str, Any]]:
    """The service arguments of a payload: the event's fields, and its structures and employers."""
    data = payload.model_dump(exclude_unset=True, exclude={"version", "organisers", "partners", "employers"})
    if "qpv" in data:
        data["qpv"] = _qpv(ctx, data["qpv"], ["body", "qpv"]) if data["qpv"] else None
    if "roadmap_action" in data:
        data["roadmap_action"] = (
            _roadmap_action(ctx, data["roadmap_action"]) if data["roadmap_action"] else None
        )
    for name in ("hours_delivered", "coordination_hours"):
        if name in data:
            data[name] = Decimal(str(round(data[name], 2)))
    links: dict[str, Any] = {}
    fields = payload.model_fields_set
    if "organisers" in fields:
        links["organisers"] = _structures(ctx, payload.organisers or [], "organisers")
    if "partners" in fields:
        links["partners"] = _structures(ctx, payload.partners or [], "partners")
    if "employers" in fields:
        links["employers"] = _employers(ctx, payload.employers or [])
    return data, links


def participant_out(participation: Participation) -> dict[str, Any]:
    person = participation.beneficiary
    return {
        "id": participation.pk,
        "beneficiary": {"id": person.pk, "first_name": person.first_name, "last_name": person.last_name},
        "age_band": participation.age_band or None,
        "first_met_here": participation.first_met_here,
        "recorded_at": participation.recorded_at,
    }


def _ref(structure: Structure | None) -> dict[str, Any] | None:
    return {"id": structure.pk, "name": structure.name} if structure else None


def committee_out(committee: Committee) -> dict[str, Any]:
    return {
        "id": committee.pk,
        "kind": committee.kind,
        "name": committee.name,
        "purpose": committee.purpose,
        "is_active": committee.is_active,
        "members": [
            {"name": m.display_name, "structure": _ref(m.structure), "function": m.function, "role": m.role}
            for m in committee_queries.current_members(committee)
        ],
    }


def meeting_out(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "agenda": meeting.agenda,
        "minutes": meeting.minutes,
        "cancelled": meeting.cancelled,
        "decisions": [d.text for d in meeting.decisions.all()],
        "attendance": [
            {"member": a.member.display_name, "structure": _ref(a.member.structure), "status": a.status}
            for a in meeting.attendances.all()
        ],
        "invitations_sent_at": meeting.invitations_sent_at,
    }


# --- Events ---------------------------------------------------------------------------------------------------


@router.get(
    "/events",
    response={200: EventPage, **LIST_ERRORS},
    operation_id="events_list",
    summary="Lister les actions et événements",
    description="Les actions de la cité, de la plus récente à la plus ancienne, avec leurs chiffres : "
    "personnes comptées sans être nommées, participant·es nommé·es, et leur somme.",
    openapi_extra={"x-citemploi-action": "event.view"},
)
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> dict:
    ctx = acting(request)
    params: dict[str, Any] = {
        "kind": filters.kind,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
    }
    if filters.qpv:
        params["qpv"] = _qpv(ctx, filters.qpv, ["query", "qpv"])
    if filters.structure:
        structure = partner_queries.structures_for(ctx).filter(pk=filters.structure).first()
        if structure is None:
            raise BadInput(["query", "structure"], "Structure inconnue ou non partenaire de la cité.")
        params["structure"] = structure
    qs = queries.filter_events(_events(ctx), params).order_by("-date", "-id")
    rows, pagination = page(qs, filters)
    return {**pagination, "results": [event_out(e) for e in rows]}


@router.get(
    "/events/{event_id}",
    response={200: EventOut, **READ_ERRORS},
    operation_id="events_read",
    summary="Lire une action",
    openapi_extra={"x-citemploi-action": "event.view"},
)
def read_event(request: HttpRequest, event_id: EventId) -> dict:
    return event_out(_read(acting(request), event_id))


@router.post(
    "/events",
    response={201: EventOut, **WRITE_ERRORS},
    operation_id="events_create",
    summary="Enregistrer une action",
    description="La coordination indique au moins une structure organisatrice ; un·e référent·e ou un·e "
    "membre d'une structure enregistre les actions de sa structure (ajoutée comme organisatrice si elle "
    "n'est ni organisatrice ni partenaire). Les sous-totaux (jeunes, femmes, seniors, QPV) ne dépassent pas "
    "`counted_total`.",
    openapi_extra={"x-citemploi-action": "event.record"},
)
def create_event(request: HttpRequest, payload: EventCreateIn) -> Status:
    ctx = acting(request)
    data, links = _split(ctx, payload)
    event = services.create_event(ctx=ctx, data=data, **links)
    return Status(201, event_out(_read(ctx, event.pk)))


@router.patch(
    "/events/{event_id}",
    response={200: EventOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="events_update",
    summary="Modifier une action",
    description="Modifie les champs envoyés. `version` est obligatoire : si l'action a changé depuis votre "
    "lecture, la réponse est 409 et rien n'est enregistré.",
    openapi_extra={"x-citemploi-action": "event.record"},
)
def update_event(request: HttpRequest, event_id: EventId, payload: EventPatchIn) -> dict:
    ctx = acting(request)
    event = _read(ctx, event_id, "event.record")
    data, links = _split(ctx, payload)
    try:
        services.update_event(ctx=ctx, event=event, data=data, expected_version=payload.version, **links)
    except StaleEdit as exc:
        current = Event.objects.filter(pk=event.pk).values_list("version", flat=True).first()
        raise Conflict(str(exc), current_version=current) from exc
    return event_out(_read(ctx, event.pk))


@router.get(
    "/events/{event_id}/participants",
    response={200: ParticipantList, **READ_ERRORS},
    operation_id="event_participants_list",
    summary="Lister les participant·es nommé·es",
    description="Les participant·es dont votre rôle permet de voir la fiche ; les autres sont seulement "
    "comptés (`others`). La consultation est journalisée.",
    openapi_extra={"x-citemploi-action": "event.participants"},
)
def list_participants(request: HttpRequest, event_id: EventId) -> dict:
    ctx = acting(request)
    event = _read(ctx, event_id)
    listed = queries.participants_for(ctx, event)
    return {"results": [participant_out(p) for p in listed.visible], "others": listed.others}


@router.post(
    "/events/{event_id}/participants",
    response={201: ParticipantOut, **WRITE_ERRORS},
    operation_id="event_participants_add",
    summary="Inscrire une personne à une action",
    description="Enregistre la présence d'une personne que vous pouvez voir (404 sinon) ; elle apparaît sur "
    "sa fiche. Une personne déjà inscrite donne 422.",
    openapi_extra={"x-citemploi-action": "event.participants"},
)
def add_participant(request: HttpRequest, event_id: EventId, payload: ParticipantIn) -> Status:
    ctx = acting(request)
    event = _read(ctx, event_id)
    person = people_queries.access_beneficiary_for(ctx, payload.beneficiary, log_read=False)
    participation = services.add_participant(ctx=ctx, event=event, beneficiary=person)
    return Status(201, participant_out(participation))


@router.delete(
    "/events/{event_id}/participants/{participation_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="event_participants_remove",
    summary="Retirer une personne d'une action",
    description="Pour une inscription faite par erreur ; la fiche de la personne est conservée.",
    openapi_extra={"x-citemploi-action": "event.participants"},
)
def remove_participant(request: HttpRequest, event_id: EventId, participation_id: ParticipationId) -> Status:
    ctx = acting(request)
    event = _read(ctx, event_id)
    participation = queries.access_participation_for(ctx, event, participation_id)
    services.remove_participant(ctx=ctx, participation=participation)
    return Status(204, None)


# --- Committees -------------------------------------------------------------------------------------------------


@router.get(
    "/committees",
    response={200: CommitteePage, **LIST_ERRORS},
    operation_id="committees_list",
    summary="Lister les instances",
    description="Copil, Cotech, commission, groupes de travail de la cité, avec leurs membres actuel·les.",
    openapi_extra={"x-citemploi-action": "governance.view"},
)
def list_committees(request: HttpRequest, filters: Query[PageParams]) -> dict:
    ctx = acting(request)
    rows, pagination = page(committee_queries.committees_for(ctx).order_by("kind", "name", "id"), filters)
    return {**pagination, "results": [committee_out(c) for c in rows]}


@router.get(
    "/committees/{committee_id}",
    response={200: CommitteeOut, **READ_ERRORS},
    operation_id="committees_read",
    summary="Lire une instance",
    openapi_extra={"x-citemploi-action": "governance.view"},
)
def read_committee(request: HttpRequest, committee_id: CommitteeId) -> dict:
    return committee_out(committee_queries.access_committee_for(acting(request), committee_id))


@router.get(
    "/committees/{committee_id}/meetings",
    response={200: MeetingPage, **READ_ERRORS},
    operation_id="committee_meetings_list",
    summary="Lister les réunions d'une instance",
    description="De la plus récente à la plus ancienne, avec l'ordre du jour, les présences et les décisions.",
    openapi_extra={"x-citemploi-action": "governance.view"},
)
def list_meetings(request: HttpRequest, committee_id: CommitteeId, filters: Query[PageParams]) -> dict:
    ctx = acting(request)
    committee = committee_queries.access_committee_for(ctx, committee_id)
    qs = committee.meetings.prefetch_related(
        "decisions", "attendances__member__user", "attendances__member__structure"
    ).order_by("-starts_at", "-id")
    rows, pagination = page(qs, filters)
    return {**pagination, "results": [meeting_out(m) for m in rows]}
