"""Services of the offer (cartographie des dispositifs): list with filters, read, create, update.

Every role of a cité reads its partners' services (the national animator: every cité's); coordinators write
those of the whole cité, référents and members those of their own structure. Writes go through
citemploi.offer.services.
"""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
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
    InputSchema,
    IsoDate,
    PageOut,
    PageParams,
    Ref,
    Text,
    omittable,
    page,
)
from citemploi.core.context import ActingContext
from citemploi.offer import queries, services
from citemploi.offer.enums import (
    Fee,
    InsertionStep,
    Mobiliser,
    ModeAccueil,
    ModeMobilisation,
    Public,
    ServiceNature,
    ServiceType,
)
from citemploi.offer.models import Service, stale_cutoff
from citemploi.offer.referentials import BarrierCode, barriers_for_themes
from citemploi.partners.models import Structure

router = PolicyRouter(tags=["Services"])

ServiceId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant du service.", example=1)]
ThemeCode = Annotated[Text, Field(min_length=1, max_length=150, examples=["mobilite--preparer-un-permis"])]
AreaCode = Annotated[Text, Field(min_length=1, max_length=20, examples=["80021"])]
LongText = Annotated[Text, Field(max_length=10000)]


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    structure: Ref
    nature: ServiceNature
    step: InsertionStep | None = Field(description="Étape du parcours d'insertion.")
    type: ServiceType | None
    themes: list[str] = Field(
        description="Codes des thématiques data·inclusion v1 (ou d'une catégorie entière)."
    )
    barriers: list[str] = Field(description="Codes des freins que le service lève (déduits des thématiques).")
    publics: list[str] = Field(description="Codes des publics data·inclusion v1.")
    areas: list[str] = Field(
        description="Territoire desservi : codes INSEE de communes, de départements, SIREN d'EPCI, ou « france »."
    )
    access_conditions: str
    publics_details: str
    prescribers: str = Field(description="Qui peut prescrire le service.")
    mobilisable_par: list[str]
    modes_mobilisation: list[str]
    mobilisation_details: str
    mobilisation_link: str
    contact_name: str
    email: str
    phone: str
    modes_accueil: list[str]
    address: str
    address_complement: str
    postcode: str
    city: str
    insee_code: str
    opening_hours: str
    fees: Fee | None
    fees_details: str
    weekly_hours: float | None
    weeks: int | None
    capacity: int | None = Field(description="Nombre de places.")
    waiting_list: int | None = Field(description="Personnes en liste d'attente.")
    opens_on: date | None
    valid_until: date | None
    published: bool = Field(description="Visible dans l'annuaire public.")
    last_updated_on: date
    stale: bool = Field(description="Pas de mise à jour depuis plus de six mois.")
    source: str
    source_id: str = Field(description="Identifiant data·inclusion du service.")
    source_link: str
    version: int = Field(description="Version, à renvoyer lors d'une modification.")
    created_at: datetime
    updated_at: datetime


class ServicePage(PageOut):
    results: list[ServiceOut]


class ServiceFilters(PageParams):
    q: Annotated[Text | None, EmptyAsNone] = Field(None, max_length=100, description="Partie du nom.")
    barrier: Annotated[BarrierCode | None, EmptyAsNone] = Field(  # type: ignore[valid-type]
        None, description="Code d'un des 11 freins."
    )
    theme: Annotated[Text | None, EmptyAsNone] = Field(
        None, max_length=150, description="Code d'une thématique ou d'une catégorie data·inclusion."
    )
    structure_id: Annotated[int | None, EmptyAsNone] = Field(None, ge=1, le=MAX_ID)
    step: Annotated[InsertionStep | None, EmptyAsNone] = None
    nature: Annotated[ServiceNature | None, EmptyAsNone] = None
    stale: Annotated[bool | None, EmptyAsNone] = Field(None, description="Services à actualiser (ou non).")


class ServiceFields(InputSchema):
    """Fields shared by creation and modification (all optional in a modification)."""

    description: LongText = omittable(min_length=1)
    nature: ServiceNature = omittable()
    step: InsertionStep | None = omittable()
    type: ServiceType | None = omittable()
    themes: list[ThemeCode] = omittable(max_length=100)
    publics: list[Public] = omittable(max_length=20)
    areas: list[AreaCode] = omittable(max_length=500)
    access_conditions: LongText = omittable()
    publics_details: LongText = omittable()
    prescribers: Text = omittable(max_length=300)
    mobilisable_par: list[Mobiliser] = omittable(max_length=2)
    modes_mobilisation: list[ModeMobilisation] = omittable(max_length=4)
    mobilisation_details: LongText = omittable()
    mobilisation_link: Text = omittable(max_length=2083, examples=["https://www.example.org/inscription"])
    contact_name: Text = omittable(max_length=200)
    email: Text = omittable(max_length=254, examples=["contact@example.org"])
    phone: Text = omittable(max_length=30)
    modes_accueil: list[ModeAccueil] = omittable(max_length=2)
    address: Text = omittable(max_length=300)
    address_complement: Text = omittable(max_length=300)
    postcode: Text = omittable(max_length=5)
    city: Text = omittable(max_length=200)
    insee_code: Text = omittable(max_length=5)
    opening_hours: Text = omittable(max_length=300)
    fees: Fee | None = omittable()
    fees_details: LongText = omittable()
    weekly_hours: float | None = omittable(ge=0, le=168, allow_inf_nan=False)
    weeks: int | None = omittable(ge=1, le=520)
    capacity: int | None = omittable(ge=0, le=1_000_000)
    waiting_list: int | None = omittable(ge=0, le=1_000_000)
    opens_on: IsoDate | None = omittable()
    valid_until: IsoDate | None = omittable()
    published: bool = omittable()
    structure_id: int = omittable(
        ge=1, le=MAX_ID, description="Structure qui propose le service (par défaut : la vôtre)."
    )


class ServiceCreateIn(ServiceFields):
    name: Text = Field(min_length=3, max_length=150, examples=["Auto-école sociale"])
    description: LongText = Field(min_length=1, examples=["Préparer le permis B à coût réduit."])


class ServicePatchIn(ServiceFields):
    name: Text = omittable(min_length=3, max_length=150)
    version: int = Field(ge=1, le=MAX_ID, description="Version lue avant la modification (`version`).")


CHILDREN = ("themes", "publics", "areas", "structure_id", "version")


def service_out(service: Service, today: date) -> dict[str, Any]:
    themes = [t.code for t in service.themes.all()]
    return {
        "id": service.pk,
        "name": service.name,
        "description": service.description,
        "structure": {"id": service.structure_id, "name": service.structure.name},
        "nature": service.nature,
        "step": service.step or None,
        "type": service.type or None,
        "themes": themes,
        "barriers": [b.code for b in barriers_for_themes(themes)],
        "publics": [p.code for p in service.publics.all()],
        "areas": ["france" if a.kind == "france" else a.code for a in service.areas.all()],
        "access_conditions": service.access_conditions,
        "publics_details": service.publics_details,
        "prescribers": service.prescribers,
        "mobilisable_par": list(service.mobilisable_par),
        "modes_mobilisation": list(service.modes_mobilisation),
        "mobilisation_details": service.mobilisation_details,
        "mobilisation_link": service.mobilisation_link,
        "contact_name": service.contact_name,
        "email": service.email,
        "phone": service.phone,
        "modes_accueil": list(service.modes_accueil),
        "address": service.address,
        "address_complement": service.address_complement,
        "postcode": service.postcode,
        "city": service.city,
        "insee_code": service.insee_code,
        "opening_hours": service.opening_hours,
        "fees": service.fees or None,
        "fees_details": service.fees_details,
        "weekly_hours": service.weekly_hours,
        "weeks": service.weeks,
        "capacity": service.capacity,
        "waiting_list": service.waiting_list,
        "opens_on": service.opens_on,
        "valid_until": service.valid_until,
        "published": service.published,
        "last_updated_on": service.last_updated_on,
        "stale": service.last_updated_on < stale_cutoff(today),
        "source": service.source,
        "source_id": service.source_id,
        "source_link": service.source_link,
        "version": service.version,
        "created_at": service.created_at,
        "updated_at": service.updated_at,
    }


def _reloaded(service: Service) -> Service:
    return queries.with_details(Service.objects.filter(pk=service.pk)).get()


def _structure(ctx: ActingContext, action: str, pk: int) -> Structure:
    structure = queries.structures_for(ctx, action).filter(pk=pk).first()
    if structure is None:
        raise BadInput(
            ["body", "structure_id"], "Structure inconnue, ou dont vous ne gérez pas les services."
        )
    return structure


def _split(payload: ServiceFields) -> tuple[dict[str, Any], dict[str, Any]]:
    """Service fields, and the child lists given (themes, publics, areas)."""
    values = payload.model_dump(exclude_unset=True)
    data = {k: v for k, v in values.items() if k not in CHILDREN}
    children: dict[str, Any] = {k: values[k] for k in ("themes", "publics", "areas") if k in values}
    return data, children


@router.get(
    "/services",
    response={200: ServicePage, **LIST_ERRORS},
    operation_id="services_list",
    summary="Lister les services",
    description="Les services des structures partenaires de la cité du jeton (toutes les cités pour "
    "l'animation nationale), par nom, avec des filtres par frein, thématique, structure, étape, nature et "
    "fraîcheur.",
    openapi_extra={"x-citemploi-action": "service.view"},
)
def list_services(request: HttpRequest, filters: Query[ServiceFilters]) -> dict:
    ctx = acting(request)
    today = timezone.localdate()
    params = {
        "q": filters.q,
        "barrier": filters.barrier,
        "theme": filters.theme,
        "structure": filters.structure_id,
        "step": filters.step,
        "nature": filters.nature,
        "stale": filters.stale,
    }
    rows, pagination = page(queries.service_rows(ctx, params, today), filters)
    return {**pagination, "results": [service_out(s, today) for s in rows]}


@router.get(
    "/services/{service_id}",
    response={200: ServiceOut, **READ_ERRORS},
    operation_id="services_read",
    summary="Lire un service",
    openapi_extra={"x-citemploi-action": "service.view"},
)
def read_service(request: HttpRequest, service_id: ServiceId) -> dict:
    ctx = acting(request)
    service = queries.access_service_for(ctx, service_id)
    return service_out(_reloaded(service), timezone.localdate())


@router.post(
    "/services",
    response={201: ServiceOut, **WRITE_ERRORS},
    operation_id="services_create",
    summary="Ajouter un service",
    description="Crée un service d'une structure partenaire (coordination) ou de votre structure (référent·es "
    "et membres). Les thématiques sont des codes data·inclusion v1 ; un code inconnu est refusé.",
    openapi_extra={"x-citemploi-action": "service.create"},
)
def create_service(request: HttpRequest, payload: ServiceCreateIn) -> Status:
    ctx = acting(request)
    if "structure_id" in payload.model_fields_set:
        structure = _structure(ctx, "service.create", payload.structure_id)
    else:
        found = queries.structures_for(ctx, "service.create").filter(pk=ctx.structure_id or 0).first()
        if found is None:
            raise BadInput(
                ["body", "structure_id"], "Précisez la structure qui propose le service.", "missing"
            )
        structure = found
    data, children = _split(payload)
    service = services.create_service(ctx=ctx, structure=structure, data=data, **children)
    return Status(201, service_out(_reloaded(service), timezone.localdate()))


@router.patch(
    "/services/{service_id}",
    response={200: ServiceOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="services_update",
    summary="Modifier un service",
    description="Modifie les champs envoyés ; une liste envoyée (thématiques, publics, territoire) remplace "
    "l'ancienne. `version` est obligatoire : si le service a changé depuis votre lecture, la réponse est 409 "
    "et rien n'est enregistré. Toute modification compte comme une mise à jour (le service n'est plus à "
    "actualiser).",
    openapi_extra={"x-citemploi-action": "service.edit"},
)
def update_service(request: HttpRequest, service_id: ServiceId, payload: ServicePatchIn) -> dict:
    ctx = acting(request)
    service = queries.access_service_for(ctx, service_id, "service.edit")
    structure = (
        _structure(ctx, "service.edit", payload.structure_id)
        if "structure_id" in payload.model_fields_set
        else None
    )
    data, children = _split(payload)
    try:
        updated = services.update_service(
            ctx=ctx,
            service=service,
            data=data,
            structure=structure,
            expected_version=payload.version,
            **children,
        )
    except services.StaleEdit as exc:
        raise Conflict(str(exc), current_version=Service.objects.get(pk=service.pk).version) from exc
    return service_out(_reloaded(updated), timezone.localdate())
