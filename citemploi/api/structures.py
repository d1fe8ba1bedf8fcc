"""Partner structures of the acting cité: list, read, create (coordinators), update (coordinators; référents
and partner members for their own structure). Writes go through citemploi.partners.services."""

from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import P, PathEx, Query, Schema, Status
from pydantic import Field

from citemploi.api.base import PolicyRouter, acting
from citemploi.api.errors import BadInput
from citemploi.api.schemas import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    ConflictOut,
    EmptyAsNone,
    InputSchema,
    PageOut,
    PageParams,
    PastDate,
    Text,
    omittable,
    page,
)
from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope
from citemploi.partners import queries, services
from citemploi.partners.enums import CooperationFormat, RoleInCite, StructureKind
from citemploi.partners.models import Partnership, Structure
from citemploi.territory.models import QPV, Commune
from citemploi.territory.queries import qpvs_for

router = PolicyRouter(tags=["Structures"])

StructureId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la structure.", example=1)]
QPVCode = Annotated[Text, Field(min_length=1, max_length=12, examples=["QN08003M"])]


class CommuneRef(Schema):
    insee_code: str
    name: str


class PartnershipOut(Schema):
    role: RoleInCite = Field(description="Rôle de la structure dans la cité.")
    cooperation_format: CooperationFormat
    since: date | None
    qpvs: list[str] = Field(description="Codes des QPV où la structure intervient.")


class StructureOut(Schema):
    id: int
    name: str
    kind: StructureKind
    siret: str
    rna: str
    address: str
    commune: CommuneRef | None
    email: str
    phone: str
    website: str
    sensitive: bool = Field(
        description="Structure sensible (probation, addictologie…) : les autres partenaires ne doivent pas "
        "savoir qu'une personne y est suivie."
    )
    version: int = Field(description="Version, à renvoyer lors d'une modification.")
    partnership: PartnershipOut | None
    created_at: datetime
    updated_at: datetime


class StructurePage(PageOut):
    results: list[StructureOut]


class StructureFilters(PageParams):
    kind: Annotated[StructureKind | None, EmptyAsNone] = Field(None, description="Type de structure.")
    name: Annotated[Text | None, EmptyAsNone] = Field(
        None, max_length=100, description="Partie du nom.", examples=["Mission locale"]
    )


class PartnershipIn(InputSchema):
    role: RoleInCite = omittable(description="Rôle dans la cité.")
    cooperation_format: CooperationFormat = omittable()
    since: PastDate | None = Field(None, description="Partenaire depuis (AAAA-MM-JJ).")
    qpvs: list[QPVCode] = omittable(max_length=100, description="Codes des QPV d'intervention.")


class StructureFields(InputSchema):
    """Fields shared by creation and modification (all optional in a modification)."""

    kind: StructureKind = omittable()
    siret: Text = omittable(max_length=14, description="14 chiffres, ou vide.", examples=["13000548100010"])
    rna: Text = omittable(max_length=10, description="W suivi de 9 caractères, ou vide.")
    address: Text = omittable(max_length=300)
    commune: Text | None = Field(
        None, max_length=5, description="Code INSEE d'une commune de la cité.", examples=["80021"]
    )
    email: Text = omittable(max_length=254, examples=["contact@example.org"])
    phone: Text = omittable(max_length=30)
    website: Text = omittable(max_length=200, examples=["https://www.example.org"])
    sensitive: bool = omittable()
    partnership: PartnershipIn | None = Field(
        None, description="Place de la structure dans la cité (coordination seulement)."
    )


class StructureCreateIn(StructureFields):
    name: Text = Field(min_length=1, max_length=250, examples=["Association Solidarités Nord"])
    kind: StructureKind


class StructurePatchIn(StructureFields):
    name: Text = omittable(min_length=1, max_length=250)
    version: int = Field(ge=1, le=MAX_ID, description="Version lue avant la modification (`version`).")


def structure_out(structure: Structure, partnership: Partnership | None) -> dict[str, Any]:
    commune = structure.commune
    return {
        "id": structure.pk,
        "name": structure.name,
        "kind": structure.kind,
        "siret": structure.siret,
        "rna": structure.rna,
        "address": structure.address,
        "commune": {"insee_code": commune.insee_code, "name": commune.name} if commune else None,
        "email": structure.email,
        "phone": structure.phone,
        "website": structure.website,
        "sensitive": structure.sensitive,
        "version": structure.version,
        "partnership": None
        if partnership is None
        else {
            "role": partnership.role,
            "cooperation_format": partnership.cooperation_format,
            "since": partnership.since,
            "qpvs": sorted(q.code for q in partnership.qpvs.all()),
        },
        "created_at": structure.created_at,
        "updated_at": structure.updated_at,
    }


def _resolve_commune(ctx: ActingContext, insee_code: str | None) -> Commune | None:
    if not insee_code:
        return None
    commune = Commune.objects.filter(insee_code=insee_code, cites=ctx.cite_id).first()
    if commune is None:
        raise BadInput(["body", "commune"], "Commune inconnue ou hors du périmètre de la cité.")
    return commune


def _resolve_qpvs(ctx: ActingContext, codes: list[str]) -> list[QPV]:
    wanted = {code.upper() for code in codes}
    found = list(qpvs_for(ctx).filter(code__in=wanted).order_by("code"))
    unknown = wanted - {q.code for q in found}
    if unknown:
        raise BadInput(
            ["body", "partnership", "qpvs"], f"QPV inconnu(s) dans la cité : {', '.join(sorted(unknown))}."
        )
    return found


def _split(ctx: ActingContext, payload: StructureFields) -> tuple[dict, dict | None, list[QPV] | None]:
    """The service arguments of a payload: structure fields, partnership fields, QPV."""
    values = payload.model_dump(exclude_unset=True, exclude={"partnership", "version"})
    if "commune" in values:
        values["commune"] = _resolve_commune(ctx, values["commune"])
    partnership, qpvs = None, None
    if payload.partnership is not None:
        partnership = payload.partnership.model_dump(exclude_unset=True, exclude={"qpvs"})
        if "qpvs" in payload.partnership.model_fields_set:
            qpvs = _resolve_qpvs(ctx, payload.partnership.qpvs or [])
    return values, partnership, qpvs


@router.get(
    "/structures",
    response={200: StructurePage, **LIST_ERRORS},
    operation_id="structures_list",
    summary="Lister les structures partenaires",
    description="Les structures partenaires de la cité du jeton, par nom.",
    openapi_extra={"x-citemploi-action": "structure.view"},
)
def list_structures(request: HttpRequest, filters: Query[StructureFilters]) -> dict:
    ctx = acting(request)
    rows_qs = (
        queries.structure_rows(ctx, {"q": filters.name, "kind": filters.kind})
        .select_related("structure__commune")
        .prefetch_related("qpvs")
    )
    rows, pagination = page(rows_qs, filters)
    return {**pagination, "results": [structure_out(p.structure, p) for p in rows]}


@router.get(
    "/structures/{structure_id}",
    response={200: StructureOut, **READ_ERRORS},
    operation_id="structures_read",
    summary="Lire une structure",
    openapi_extra={"x-citemploi-action": "structure.view"},
)
def read_structure(request: HttpRequest, structure_id: StructureId) -> dict:
    ctx = acting(request)
    structure = queries.access_structure_for(ctx, structure_id)
    return structure_out(structure, queries.partnership_in(ctx, structure))


@router.post(
    "/structures",
    response={201: StructureOut, **WRITE_ERRORS},
    operation_id="structures_create",
    summary="Ajouter une structure au partenariat",
    description="Crée la structure et son partenariat avec la cité. Une structure de type `justice` est "
    "automatiquement sensible.",
    openapi_extra={"x-citemploi-action": "structure.create"},
)
def create_structure(request: HttpRequest, payload: StructureCreateIn) -> Status:
    ctx = acting(request)
    data, partnership, qpvs = _split(ctx, payload)
    structure = services.create_structure(ctx=ctx, data=data, partnership=partnership, qpvs=qpvs)
    return Status(201, structure_out(structure, queries.partnership_in(ctx, structure)))


@router.patch(
    "/structures/{structure_id}",
    response={200: StructureOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="structures_update",
    summary="Modifier une structure",
    description="Modifie les champs envoyés. `version` est obligatoire : si la structure a changé depuis "
    "votre lecture, la réponse est 409 et rien n'est enregistré. Les référent·es et membres d'une structure "
    "ne modifient que la leur ; seule la coordination modifie `partnership`.",
    openapi_extra={"x-citemploi-action": "structure.edit"},
)
def update_structure(request: HttpRequest, structure_id: StructureId, payload: StructurePatchIn) -> dict:
    ctx = acting(request)
    structure = queries.access_structure_for(ctx, structure_id, "structure.edit")
    data, partnership, qpvs = _split(ctx, payload)
    if payload.partnership is not None and ctx.scope("structure.edit") != Scope.CITE:
        raise PermissionDenied(
            "Seule la coordination de la cité modifie le partenariat (rôle, format de coopération, QPV)."
        )
    updated = services.update_structure(
        ctx=ctx,
        structure=structure,
        data=data,
        partnership=partnership,
        qpvs=qpvs,
        expected_version=payload.version,
    )
    return structure_out(updated, queries.partnership_in(ctx, updated))
