"""QPV (quartiers prioritaires de la politique de la ville) of the acting cité."""

from typing import Annotated

from django.http import HttpRequest
from ninja import P, PathEx, Query, Schema
from pydantic import Field

from citemploi.api.base import PolicyRouter, acting
from citemploi.api.schemas import LIST_ERRORS, READ_ERRORS, EmptyAsNone, PageOut, PageParams, Text, page
from citemploi.territory import queries
from citemploi.territory.models import QPV

router = PolicyRouter(tags=["QPV"])

QPV_CODE = r"^[A-Za-z0-9]{1,12}$"


class CommuneOut(Schema):
    insee_code: str = Field(examples=["80021"])
    name: str = Field(examples=["Amiens"])


class QPVOut(Schema):
    code: str = Field(examples=["QN08003M"])
    name: str = Field(examples=["Amiens Nord"])
    department: str = Field(examples=["080"])
    communes: list[CommuneOut]
    population: int | None
    veille_active: bool = Field(description="En veille active : n'est plus éligible aux appels à projets.")
    list_version: str = Field(examples=["2024"])


class QPVPage(PageOut):
    results: list[QPVOut]


class QPVFilters(PageParams):
    department: Annotated[Text | None, EmptyAsNone] = Field(
        None, max_length=3, description="Code du département, sur 3 caractères (`080`).", examples=["080"]
    )
    q: Annotated[Text | None, EmptyAsNone] = Field(
        None, max_length=100, description="Partie du nom, ou code exact.", examples=["Amiens Nord"]
    )


def qpv_out(qpv: QPV) -> dict:
    return {
        "code": qpv.code,
        "name": qpv.name,
        "department": qpv.department,
        "communes": [{"insee_code": c.insee_code, "name": c.name} for c in qpv.communes.all()],
        "population": qpv.population,
        "veille_active": qpv.veille_active,
        "list_version": qpv.list_version,
    }


@router.get(
    "/qpv",
    response={200: QPVPage, **LIST_ERRORS},
    operation_id="qpv_list",
    summary="Lister les QPV de la cité",
    description="Les QPV de la cité du jeton (tous les QPV pour l'animation nationale), par code.",
    openapi_extra={"x-citemploi-action": "qpv.view"},
)
def list_qpv(request: HttpRequest, filters: Query[QPVFilters]) -> dict:
    ctx = acting(request)
    params = {"department": filters.department, "q": filters.q}
    rows, pagination = page(queries.qpv_rows(ctx, params), filters)
    return {**pagination, "results": [qpv_out(q) for q in rows]}


@router.get(
    "/qpv/{code}",
    response={200: QPVOut, **READ_ERRORS},
    operation_id="qpv_read",
    summary="Lire un QPV",
    description="Un QPV de la cité, par son code (par exemple `QN08003M`).",
    openapi_extra={"x-citemploi-action": "qpv.view"},
)
def read_qpv(
    request: HttpRequest,
    code: PathEx[str, P(pattern=QPV_CODE, description="Code du QPV.", example="QN08003M")],
) -> dict:
    return qpv_out(queries.access_qpv_for(acting(request), code.upper()))
