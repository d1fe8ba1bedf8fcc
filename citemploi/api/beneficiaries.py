"""People followed by the cité (personal data).

Every read goes through citemploi.people.queries (scoped querysets, audited reads) and every write through
citemploi.people.services. Absent and not visible files both answer 404.
"""

from datetime import date, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import P, PathEx, Query, Schema, Status
from pydantic import Field

from citemploi.accounts.models import User
from citemploi.api.base import PolicyRouter, acting
from citemploi.api.errors import BadInput, Conflict
from citemploi.api.schemas import (
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    BirthDate,
    ConflictOut,
    EmptyAsNone,
    InputSchema,
    PageOut,
    PageParams,
    PastDate,
    Ref,
    Text,
    omittable,
    page,
)
from citemploi.core.access import not_found
from citemploi.core.context import ActingContext
from citemploi.core.policy import Role, Scope
from citemploi.partners import queries as partner_queries
from citemploi.partners.models import Membership, Structure
from citemploi.people import queries, services
from citemploi.people.enums import (
    AgeBand,
    DigitalAutonomy,
    EducationLevel,
    EmploymentStatus,
    FrenchLevel,
    Gender,
    QPVEvidenceMethod,
    ReperageChannel,
)
from citemploi.people.models import Beneficiary, SensitiveInfo
from citemploi.territory.models import QPV
from citemploi.territory.queries import qpvs_for

router = PolicyRouter(tags=["Personnes accompagnées"])

BeneficiaryId = PathEx[int, P(ge=1, le=MAX_ID, description="Identifiant de la personne.", example=1)]


# --- Schemas ------------------------------------------------------------------------------------------------


class QPVRef(Schema):
    code: str = Field(examples=["QN08003M"])
    name: str = Field(examples=["Amiens Nord"])


class BeneficiaryOut(Schema):
    id: int
    version: int = Field(description="Version de la fiche, à renvoyer lors d'une modification.")
    first_name: str
    last_name: str
    birth_date: date | None
    age_band: AgeBand | None = Field(description="Tranche d'âge aujourd'hui.")
    gender: Gender
    email: str
    phone: str
    address: str
    postcode: str
    city: str
    qpv: QPVRef | None = Field(description="QPV de résidence ; `null` : hors QPV ou inconnu.")
    qpv_evidence_method: QPVEvidenceMethod
    qpv_evidence_date: date | None
    qpv_list_version: str
    education_level: EducationLevel
    employment_status: EmploymentStatus
    ft_registered: bool
    spe_followed: bool
    invisible_at_identification: bool = Field(
        description="Ni inscrit·e à France Travail ni suivi·e par le SPE quand la fiche a été créée."
    )
    rsa: bool
    ass: bool
    cej: bool
    single_parent: bool
    children_count: int
    french_level: FrenchLevel
    digital_autonomy: DigitalAutonomy
    driving_licence: bool
    has_vehicle: bool
    reperage_channel: ReperageChannel
    identified_on: date
    responsible_structure: Ref = Field(
        description="Structure référente ; une structure sensible est masquée (`id` null) pour qui ne doit "
        "pas savoir que la personne y est suivie."
    )
    referent: Ref | None = Field(description="Référent·e de parcours (masqué·e avec la structure).")
    created_at: datetime
    updated_at: datetime


class BeneficiaryPage(PageOut):
    results: list[BeneficiaryOut]


class BeneficiaryFilters(PageParams):
    q: Annotated[Text | None, EmptyAsNone] = Field(
        None,
        max_length=200,
        description="Mots du nom et du prénom (accents et casse ignorés), ou e-mail exact.",
    )
    qpv: Annotated[Text | None, EmptyAsNone] = Field(
        None, max_length=12, description="Code du QPV de résidence.", examples=["QN08003M"]
    )
    structure: Annotated[int | None, EmptyAsNone] = Field(
        None, ge=1, le=MAX_ID, description="Identifiant de la structure référente (non sensible)."
    )
    gender: Annotated[Gender | None, EmptyAsNone] = Field(None, description="Genre.")
    age_band: Annotated[AgeBand | None, EmptyAsNone] = Field(None, description="Tranche d'âge.")
    channel: Annotated[ReperageChannel | None, EmptyAsNone] = Field(None, description="Canal de repérage.")
    invisible: bool = Field(False, description="Seulement les personnes invisibles au repérage.")


class BeneficiaryFields(InputSchema):
    """The fields of a file (all optional in a modification: the fields left out keep their value)."""

    first_name: Text = omittable(min_length=1, max_length=150, examples=["Awa"])
    last_name: Text = omittable(min_length=1, max_length=150, examples=["Diallo"])
    birth_date: BirthDate = omittable(description="Date de naissance (AAAA-MM-JJ).", examples=["1990-05-17"])
    gender: Gender = omittable(description="F : femme, M : homme, X : autre ou non précisé.")
    email: Text = omittable(max_length=254, examples=["awa.diallo@example.org"])
    phone: Text = omittable(max_length=30, examples=["06 12 34 56 78"])
    address: Text = omittable(max_length=300)
    postcode: Text = omittable(pattern=r"^([0-9]{5})?$", description="5 chiffres, ou vide.")
    city: Text = omittable(max_length=150, examples=["Amiens"])
    qpv: Text | None = Field(
        None,
        max_length=12,
        description="Code d'un QPV de la cité ; `null` : hors QPV ou inconnu.",
        examples=["QN08003M"],
    )
    qpv_evidence_method: QPVEvidenceMethod = omittable()
    qpv_evidence_date: PastDate | None = Field(
        None, description="Date de vérification de la résidence en QPV."
    )
    qpv_list_version: Text = omittable(max_length=10, examples=["2024"])
    education_level: EducationLevel = omittable()
    employment_status: EmploymentStatus = omittable()
    ft_registered: bool = omittable(description="Inscrit·e à France Travail.")
    spe_followed: bool = omittable(
        description="Suivi·e par France Travail, une Mission locale ou Cap emploi."
    )
    rsa: bool = omittable()
    ass: bool = omittable()
    cej: bool = omittable()
    single_parent: bool = omittable()
    children_count: int = omittable(ge=0, le=99)
    french_level: FrenchLevel = omittable()
    digital_autonomy: DigitalAutonomy = omittable()
    driving_licence: bool = omittable()
    has_vehicle: bool = omittable()
    reperage_channel: ReperageChannel = omittable()
    identified_on: PastDate = omittable(description="Date de repérage (aujourd'hui par défaut).")
    referent: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Identifiant de l'utilisateur·rice référent·e : un·e référent·e de la structure référente.",
    )


class BeneficiaryCreateIn(BeneficiaryFields):
    first_name: Text = Field(min_length=1, max_length=150, examples=["Awa"])
    last_name: Text = Field(min_length=1, max_length=150, examples=["Diallo"])
    birth_date: BirthDate = Field(description="Date de naissance (AAAA-MM-JJ).", examples=["1990-05-17"])
    responsible_structure: int | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="Structure référente : obligatoire pour la coordination ; un·e référent·e crée les fiches "
        "de sa propre structure.",
    )
    allow_duplicate: bool = Field(
        False, description="Créer la fiche même si une personne de même identité existe (homonyme)."
    )


class BeneficiaryPatchIn(BeneficiaryFields):
    version: int = Field(ge=1, le=MAX_ID, description="Version lue avant la modification (`version`).")


class SensitiveOut(Schema):
    rqth: bool = Field(description="RQTH (reconnaissance de la qualité de travailleur handicapé).")
    aah: bool = Field(description="AAH (allocation aux adultes handicapés).")
    health_barrier: bool = Field(description="Problème de santé freinant l'emploi.")
    justice_followup: bool = Field(description="Suivi judiciaire (SPIP, PJJ).")
    addiction_care: bool = Field(description="Suivi en addictologie.")
    updated_at: datetime | None


class SensitiveIn(InputSchema):
    rqth: bool
    aah: bool
    health_barrier: bool
    justice_followup: bool
    addiction_care: bool


# --- Helpers ------------------------------------------------------------------------------------------------


def beneficiary_out(ctx: ActingContext, b: Beneficiary) -> dict[str, Any]:
    structure = b.responsible_structure
    visible = queries.structure_visible(ctx, structure.pk, structure.sensitive, b)
    referent = b.referent if visible else None
    return {
        "id": b.pk,
        "version": b.version,
        "first_name": b.first_name,
        "last_name": b.last_name,
        "birth_date": b.birth_date,
        "age_band": b.age_band,
        "gender": b.gender,
        "email": b.email,
        "phone": b.phone,
        "address": b.address,
        "postcode": b.postcode,
        "city": b.city,
        "qpv": {"code": b.qpv.code, "name": b.qpv.name} if b.qpv else None,
        "qpv_evidence_method": b.qpv_evidence_method,
        "qpv_evidence_date": b.qpv_evidence_date,
        "qpv_list_version": b.qpv_list_version,
        "education_level": b.education_level,
        "employment_status": b.employment_status,
        "ft_registered": b.ft_registered,
        "spe_followed": b.spe_followed,
        "invisible_at_identification": b.invisible_at_identification,
        "rsa": b.rsa,
        "ass": b.ass,
        "cej": b.cej,
        "single_parent": b.single_parent,
        "children_count": b.children_count,
        "french_level": b.french_level,
        "digital_autonomy": b.digital_autonomy,
        "driving_licence": b.driving_licence,
        "has_vehicle": b.has_vehicle,
        "reperage_channel": b.reperage_channel,
        "identified_on": b.identified_on,
        "responsible_structure": {
            "id": structure.pk if visible else None,
            "name": queries.responsible_structure_label(ctx, b),
        },
        "referent": {"id": referent.pk, "name": str(referent)} if referent else None,
        "created_at": b.created_at,
        "updated_at": b.updated_at,
    }


def _qpv(ctx: ActingContext, code: str, loc: list[str | int]) -> QPV:
    qpv = qpvs_for(ctx).filter(code=code.upper()).first()
    if qpv is None:
        raise BadInput(loc, "QPV inconnu dans la cité.")
    return qpv


def _referent(ctx: ActingContext, user_id: int, structure_id: int | None) -> User:
    membership = (
        Membership.objects.filter(
            user_id=user_id,
            cite_id=ctx.cite_id,
            structure_id=structure_id,
            role=Role.REFERENT,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .first()
    )
    if membership is None:
        raise BadInput(["body", "referent"], "Cette personne n'est pas référent·e de la structure référente.")
    return membership.user


def _references(ctx: ActingContext, data: dict[str, Any], structure_id: int | None) -> dict[str, Any]:
    """Replace the QPV code and the referent id of a payload with the objects the services expect."""
    if data.get("qpv") is not None:
        data["qpv"] = _qpv(ctx, data["qpv"], ["body", "qpv"])
    if data.get("referent") is not None:
        data["referent"] = _referent(ctx, data["referent"], structure_id)
    return data


def _responsible_structure(ctx: ActingContext, structure_id: int | None) -> Structure | None:
    if ctx.scope("beneficiary.create") != Scope.CITE:
        if structure_id is not None and structure_id != ctx.structure_id:
            raise BadInput(
                ["body", "responsible_structure"], "Un·e référent·e crée les fiches de sa propre structure."
            )
        return None
    if structure_id is None:
        return None  # the service asks for it
    structure = partner_queries.structures_for(ctx).filter(pk=structure_id).first()
    if structure is None:
        raise BadInput(["body", "responsible_structure"], "Cette structure n'est pas partenaire de la cité.")
    return structure


def _structure_filter(ctx: ActingContext, structure_id: int) -> Structure:
    # A sensitive structure is no filter for others: filtering by it would reveal whom it follows.
    structure = partner_queries.structures_for(ctx).filter(pk=structure_id).first()
    if structure is None or (structure.sensitive and structure.pk != ctx.structure_id):
        raise BadInput(
            ["query", "structure"],
            "Structure inconnue, ou structure sensible qui ne peut pas servir de filtre.",
        )
    return structure


# --- Operations -----------------------------------------------------------------------------------------------


@router.get(
    "/beneficiaries",
    response={200: BeneficiaryPage, **LIST_ERRORS},
    operation_id="beneficiaries_list",
    summary="Lister les personnes accompagnées",
    description="Les personnes que votre rôle permet de voir (coordination : la cité ; référent·e : les "
    "personnes dont votre structure est référente, et celles de son groupe de suivi tant que le partage est "
    "consenti), par nom, prénom puis identifiant. Chaque consultation est journalisée.",
    openapi_extra={"x-citemploi-action": "beneficiary.view"},
)
def list_beneficiaries(request: HttpRequest, filters: Query[BeneficiaryFilters]) -> dict:
    ctx = acting(request)
    params: dict[str, Any] = {
        "q": filters.q,
        "gender": filters.gender,
        "age_band": filters.age_band,
        "channel": filters.channel,
        "invisible": filters.invisible,
    }
    if filters.qpv:
        params["qpv"] = _qpv(ctx, filters.qpv, ["query", "qpv"])
    if filters.structure:
        params["structure"] = _structure_filter(ctx, filters.structure)
    qs = queries.filter_beneficiaries(
        queries.beneficiaries_for(ctx).select_related("qpv", "responsible_structure", "referent"), params
    ).order_by("last_name", "first_name", "id")
    rows, pagination = page(qs, filters)
    logged = {k: str(v) for k, v in filters.model_dump(exclude={"limit", "offset"}).items() if v}
    queries.log_list(ctx, rows, purpose="list", filters=logged)
    return {**pagination, "results": [beneficiary_out(ctx, b) for b in rows]}


@router.get(
    "/beneficiaries/{beneficiary_id}",
    response={200: BeneficiaryOut, **READ_ERRORS},
    operation_id="beneficiaries_read",
    summary="Lire la fiche d'une personne",
    description="La consultation est journalisée.",
    openapi_extra={"x-citemploi-action": "beneficiary.view"},
)
def read_beneficiary(request: HttpRequest, beneficiary_id: BeneficiaryId) -> dict:
    ctx = acting(request)
    return beneficiary_out(ctx, queries.access_beneficiary_for(ctx, beneficiary_id))


@router.post(
    "/beneficiaries",
    response={201: BeneficiaryOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="beneficiaries_create",
    summary="Créer la fiche d'une personne",
    description="Une personne déjà connue dans la cité (mêmes noms et date de naissance, accents et casse "
    "ignorés) n'est pas créée deux fois : la réponse est 409, avec `existing_id` si vous pouvez voir cette "
    "fiche. Pour un·e homonyme, renvoyez la demande avec `allow_duplicate: true`.",
    openapi_extra={"x-citemploi-action": "beneficiary.create"},
)
def create_beneficiary(request: HttpRequest, payload: BeneficiaryCreateIn) -> Status:
    ctx = acting(request)
    structure = _responsible_structure(ctx, payload.responsible_structure)
    data = payload.model_dump(exclude_unset=True, exclude={"responsible_structure", "allow_duplicate"})
    _references(ctx, data, structure.pk if structure else ctx.structure_id)
    b = services.create_beneficiary(
        ctx=ctx, data=data, responsible_structure=structure, allow_duplicate=payload.allow_duplicate
    )
    return Status(201, beneficiary_out(ctx, b))


@router.patch(
    "/beneficiaries/{beneficiary_id}",
    response={200: BeneficiaryOut, 409: ConflictOut, **WRITE_ERRORS},
    operation_id="beneficiaries_update",
    summary="Modifier la fiche d'une personne",
    description="Modifie les champs envoyés. `version` est obligatoire : si la fiche a changé depuis votre "
    "lecture, la réponse est 409 (avec `current_version`) et rien n'est enregistré ; relisez la fiche.",
    openapi_extra={"x-citemploi-action": "beneficiary.edit"},
)
def update_beneficiary(
    request: HttpRequest, beneficiary_id: BeneficiaryId, payload: BeneficiaryPatchIn
) -> dict:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, beneficiary_id, "beneficiary.edit", log_read=False)
    data = _references(
        ctx, payload.model_dump(exclude_unset=True, exclude={"version"}), b.responsible_structure_id
    )
    try:
        updated = services.update_beneficiary(
            ctx=ctx, beneficiary=b, data=data, expected_version=payload.version
        )
    except services.StaleEdit as exc:
        current = (
            queries.beneficiaries_for(ctx, "beneficiary.edit")
            .filter(pk=b.pk)
            .values_list("version", flat=True)
        )
        raise Conflict(str(exc), current_version=current.first()) from exc
    return beneficiary_out(ctx, updated)


def _sensitive_out(info: SensitiveInfo) -> dict[str, Any]:
    return {
        **{name: getattr(info, name) for name in SensitiveInfo.SENSITIVE_FIELDS},
        "updated_at": info.updated_at,
    }


@router.get(
    "/beneficiaries/{beneficiary_id}/sensitive",
    response={200: SensitiveOut, **READ_ERRORS},
    operation_id="beneficiaries_sensitive_read",
    summary="Lire les informations sensibles",
    description="Santé, handicap, justice, addiction : réservé au·à la référent·e responsable de la personne. "
    "Pour tout autre rôle, la réponse est 404.",
    openapi_extra={"x-citemploi-action": "beneficiary.view_sensitive"},
)
def read_sensitive(request: HttpRequest, beneficiary_id: BeneficiaryId) -> dict:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, beneficiary_id, "beneficiary.view_sensitive")
    info = queries.sensitive_for(ctx, b)
    if info is None:
        raise not_found()
    return _sensitive_out(info)


@router.put(
    "/beneficiaries/{beneficiary_id}/sensitive",
    response={200: SensitiveOut, **WRITE_ERRORS},
    operation_id="beneficiaries_sensitive_update",
    summary="Enregistrer les informations sensibles",
    description="Remplace les cinq indicateurs. Réservé au·à la référent·e responsable (404 pour tout autre "
    "rôle). Le journal garde quels champs ont changé, pas leurs valeurs.",
    openapi_extra={"x-citemploi-action": "beneficiary.edit_sensitive"},
)
def update_sensitive(request: HttpRequest, beneficiary_id: BeneficiaryId, payload: SensitiveIn) -> dict:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, beneficiary_id, "beneficiary.edit_sensitive", log_read=False)
    info = services.update_sensitive(ctx=ctx, beneficiary=b, values=payload.model_dump())
    return _sensitive_out(info)
