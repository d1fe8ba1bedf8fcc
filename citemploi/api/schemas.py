"""Shared input types, error answers and pagination of the API.

Input types are strict enough that a bad value is refused with a 4xx before reaching the database: bounded
integers (SQLite and PostgreSQL store 64-bit integers), texts without NUL characters or lone surrogates,
ISO dates, closed lists of values. Input schemas refuse unknown fields.
"""

from datetime import date
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints

#: the largest identifier a 64-bit signed integer column holds
MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000_000
DEFAULT_LIMIT = 25
MAX_LIMIT = 100

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Le caractère nul (\\u0000) n'est pas accepté.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("Texte invalide : il doit être encodé en UTF-8.") from exc
    return value


#: a text: surrounding spaces removed, no NUL character, valid UTF-8
Text = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_clean_text)]


def _empty_as_none(value: Any) -> Any:
    return None if value == "" else value


#: an optional query parameter: `?qpv=` means "no filter", as a browser form would send it
EmptyAsNone = BeforeValidator(_empty_as_none)


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and len(value) == 10):
        return value
    raise ValueError("Date attendue au format AAAA-MM-JJ.")


def _not_in_future(value: date) -> date:
    if value > timezone.localdate():
        raise ValueError("La date ne peut pas être dans le futur.")
    return value


def _plausible_birth_date(value: date) -> date:
    if value < date(1900, 1, 1):
        raise ValueError("Date de naissance invalide : elle doit être postérieure au 1er janvier 1900.")
    return _not_in_future(value)


#: a date written AAAA-MM-JJ (numbers and date-times are refused)
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
PastDate = Annotated[IsoDate, AfterValidator(_not_in_future)]
BirthDate = Annotated[IsoDate, AfterValidator(_plausible_birth_date)]


def omittable(**kwargs: Any) -> Any:
    """A field the client may leave out (a modification then keeps the stored value) but not set to null."""
    return Field(None, **kwargs)


class InputSchema(Schema):
    """An input body: unknown fields are refused (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


# --- Answers ------------------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="Message d'erreur, en français.", examples=["Introuvable."])


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(
        description="Emplacement de la valeur refusée : `body`, `query` ou `path`, puis le nom du champ.",
        examples=[["body", "birth_date"]],
    )
    msg: str = Field(description="Ce qui ne va pas, en français.")
    type: str = Field(description="Code de l'erreur (stable, pour les programmes).")


class ValidationErrorOut(Schema):
    detail: str = Field(examples=["Données invalides : corrigez les champs indiqués."])
    errors: list[FieldErrorOut]


class ConflictOut(Schema):
    detail: str
    existing_id: int | None = Field(
        None,
        description="Identifiant de la fiche déjà existante, donné seulement si vous pouvez la consulter.",
    )
    current_version: int | None = Field(
        None, description="Version actuellement enregistrée (modification concurrente)."
    )


class Ref(Schema):
    """A linked object: its identifier and label."""

    id: int | None = Field(description="Identifiant ; `null` quand la structure est masquée.")
    name: str


# Error answers each kind of operation may give (documented in the OpenAPI document).
AUTH_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut}
LIST_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 422: ValidationErrorOut}
READ_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, **READ_ERRORS, 413: ErrorOut}


class PageParams(Schema):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Nombre de résultats par page (1 à 100)."
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rang du premier résultat (0 pour le début).")


def page(qs: Any, params: PageParams) -> tuple[list, dict[str, Any]]:
    """The rows of one page of an ordered queryset, and the pagination fields of the answer."""
    count = qs.count()
    rows = list(qs[params.offset : params.offset + params.limit])
    end = params.offset + len(rows)
    return rows, {
        "count": count,
        "limit": params.limit,
        "offset": params.offset,
        "next_offset": end if end < count else None,
    }


class PageOut(Schema):
    count: int = Field(description="Nombre total de résultats.")
    limit: int
    offset: int
    next_offset: int | None = Field(description="`offset` de la page suivante ; `null` sur la dernière page.")
