"""Error answers of the API: always JSON, always in French, never a 500 for a client's mistake.

| exception                                     | status | body                                       |
|-----------------------------------------------|--------|--------------------------------------------|
| missing / invalid / revoked token             | 401    | `{"detail"}` + `WWW-Authenticate: Bearer`  |
| PermissionDenied (role not allowed)           | 403    | `{"detail"}`                               |
| Http404 (absent or not visible)               | 404    | `{"detail": "Introuvable."}`               |
| unreadable body (not JSON, not UTF-8)         | 400    | `{"detail"}`                               |
| body too large                                | 413    | `{"detail"}`                               |
| bad input (ninja) or a service's ValidationError | 422 | `{"detail", "errors": [{"loc", "msg", "type"}]}` |
| DuplicateIdentity, StaleEdit                  | 409    | `{"detail", "existing_id", "current_version"}` |
"""

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from citemploi.api.auth import MISSING_MESSAGE
from citemploi.core.concurrency import StaleEdit
from citemploi.people import services as people_services

VALIDATION_DETAIL = "Données invalides : corrigez les champs indiqués."


class Conflict(Exception):
    """A 409 answer: the request conflicts with the stored state (duplicate, concurrent edit)."""

    def __init__(self, detail: str, *, existing_id: int | None = None, current_version: int | None = None):
        super().__init__(detail)
        self.detail = detail
        self.existing_id = existing_id
        self.current_version = current_version


class BadInput(Exception):
    """A 422 answer for one field (a reference the API resolves itself, such as a QPV code)."""

    def __init__(self, loc: list[str | int], message: str, code: str = "invalid"):
        super().__init__(message)
        self.loc = loc
        self.message = message
        self.code = code


def _expected(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace(" or ", " ou ")


#: French messages for the error types of pydantic (https://docs.pydantic.dev/latest/errors/validation_errors/)
_MESSAGES: dict[str, Any] = {
    "missing": "Champ obligatoire.",
    "extra_forbidden": "Champ inconnu : retirez-le (voir la documentation des champs acceptés).",
    "string_type": "Texte attendu.",
    "string_too_short": lambda c: f"Trop court : au moins {c.get('min_length')} caractère(s).",
    "string_too_long": lambda c: f"Trop long : au plus {c.get('max_length')} caractères.",
    "string_pattern_mismatch": "Format invalide.",
    "string_unicode": "Texte invalide : il doit être encodé en UTF-8.",
    "int_type": "Nombre entier attendu.",
    "int_parsing": "Nombre entier attendu.",
    "int_parsing_size": "Nombre entier trop grand.",
    "int_from_float": "Nombre entier attendu (sans décimale).",
    "greater_than_equal": lambda c: f"Doit être supérieur ou égal à {c.get('ge')}.",
    "greater_than": lambda c: f"Doit être strictement supérieur à {c.get('gt')}.",
    "less_than_equal": lambda c: f"Doit être inférieur ou égal à {c.get('le')}.",
    "less_than": lambda c: f"Doit être strictement inférieur à {c.get('lt')}.",
    "bool_type": "Booléen attendu (true ou false).",
    "bool_parsing": "Booléen attendu (true ou false).",
    "date_type": "Date attendue au format AAAA-MM-JJ.",
    "date_parsing": "Date attendue au format AAAA-MM-JJ.",
    "date_from_datetime_parsing": "Date attendue au format AAAA-MM-JJ.",
    "date_from_datetime_inexact": "Date attendue au format AAAA-MM-JJ (sans heure).",
    "date_future": "La date doit être dans le futur.",
    "date_past": "La date doit être dans le passé.",
    "enum": lambda c: f"Valeur inconnue : valeurs possibles {_expected(c)}.",
    "literal_error": lambda c: f"Valeur inconnue : valeurs possibles {_expected(c)}.",
    "model_type": "Objet JSON attendu.",
    "model_attributes_type": "Objet JSON attendu.",
    "dict_type": "Objet JSON attendu.",
    "list_type": "Liste attendue.",
    "too_short": lambda c: f"Au moins {c.get('min_length')} élément(s).",
    "too_long": lambda c: f"Au plus {c.get('max_length')} éléments.",
    "json_invalid": "JSON invalide.",
    "none_required": "Valeur nulle attendue.",
    "float_type": "Nombre attendu.",
    "float_parsing": "Nombre attendu.",
}


def french_message(error: dict[str, Any]) -> str:
    """A French message for one pydantic error; our own validators already raise French messages."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and ctx.get("error"):
        return str(ctx["error"])
    message = _MESSAGES.get(kind)
    if callable(message):
        return str(message(ctx))
    return message or "Valeur invalide."


def _loc(loc: Any) -> list[str | int]:
    return [part if isinstance(part, int) else str(part) for part in loc]


def _json(api: NinjaAPI, request: HttpRequest, data: dict[str, Any], status: int) -> HttpResponse:
    return api.create_response(request, data, status=status)


def _validation_response(api: NinjaAPI, request: HttpRequest, errors: list[dict[str, Any]]) -> HttpResponse:
    return _json(api, request, {"detail": VALIDATION_DETAIL, "errors": errors}, 422)


def register(api: NinjaAPI) -> None:
    """Install the exception handlers on the API object."""

    def authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = exc.message if exc.message != "Unauthorized" else MISSING_MESSAGE
        response = _json(api, request, {"detail": message}, 401)
        response["WWW-Authenticate"] = 'Bearer realm="citemploi"'
        return response

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        messages = {
            400: "Corps de requête illisible : envoyez un document JSON encodé en UTF-8.",
            403: "Accès refusé.",
            429: "Trop de requêtes : réessayez dans un moment.",
        }
        return _json(api, request, {"detail": messages.get(exc.status_code, str(exc))}, exc.status_code)

    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return _json(api, request, {"detail": str(exc) or "Votre rôle ne permet pas cette action."}, 403)

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _json(api, request, {"detail": "Introuvable."}, 404)

    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return _json(api, request, {"detail": f"Requête trop volumineuse ({limit} Mo au plus)."}, 413)

    def ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = []
        for error in exc.errors:
            loc = _loc(error.get("loc", ()))
            # ninja names the body parameter (`payload`): the client only knows the field names.
            if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
                loc = ["body", *loc[2:]]
            errors.append(
                {"loc": loc, "msg": french_message(error), "type": str(error.get("type", "invalid"))}
            )
        return _validation_response(api, request, errors)

    def django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors: list[dict[str, Any]] = []
        if hasattr(exc, "error_dict"):
            for field, field_errors in exc.error_dict.items():
                loc: list[str | int] = ["body"] if field == "__all__" else ["body", field]
                for error in field_errors:
                    for message in error.messages:
                        errors.append({"loc": loc, "msg": message, "type": error.code or "invalid"})
        else:
            for error in exc.error_list:
                for message in error.messages:
                    errors.append({"loc": ["body"], "msg": message, "type": error.code or "invalid"})
        return _validation_response(api, request, errors)

    def bad_input(request: HttpRequest, exc: BadInput) -> HttpResponse:
        return _validation_response(api, request, [{"loc": exc.loc, "msg": exc.message, "type": exc.code}])

    def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        data = {"detail": exc.detail, "existing_id": exc.existing_id, "current_version": exc.current_version}
        return _json(api, request, data, 409)

    def duplicate(request: HttpRequest, exc: people_services.DuplicateIdentity) -> HttpResponse:
        detail = (
            "Une fiche existe déjà pour cette personne dans la cité (mêmes nom, prénom et date de naissance). "
            "S'il s'agit d'un·e homonyme, renvoyez la demande avec « allow_duplicate »: true."
        )
        existing_id = exc.existing.pk if exc.visible else None
        return conflict(request, Conflict(detail, existing_id=existing_id))

    def stale(request: HttpRequest, exc: Exception) -> HttpResponse:
        return conflict(request, Conflict(str(exc)))

    handlers: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
        (AuthenticationError, authentication),
        (HttpError, http_error),
        (PermissionDenied, permission_denied),
        (Http404, not_found),
        (RequestDataTooBig, too_big),
        (NinjaValidationError, ninja_validation),
        (DjangoValidationError, django_validation),
        (BadInput, bad_input),
        (Conflict, conflict),
        (people_services.DuplicateIdentity, duplicate),
        (StaleEdit, stale),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, cast(Any, handler))
