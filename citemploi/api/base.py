"""The API object and the router every resource uses.

- `PolicyRouter`: each operation must declare its policy action (`openapi_extra={"x-citemploi-action": ...}`);
  the action is checked for the token's role before the input is read, and published in the OpenAPI
  document so that the permission-matrix tests can read it.
- `CitemploiAPI`: exempts the API from `LoginRequiredMiddleware` (API clients get a 401 JSON answer, never a
  redirect to the login page), serves the offline documentation page, answers unknown paths and methods
  with JSON, and forbids caching of answers (they carry personal data).
"""

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.cache import add_never_cache_headers
from ninja import NinjaAPI, Router
from ninja.constants import NOT_SET

from citemploi.api.auth import BearerTokenAuth
from citemploi.core.context import ActingContext
from citemploi.core.policy import POLICY
from citemploi.partners import enums as partner_enums
from citemploi.people import enums as people_enums

#: the lists of values the API publishes, by name: their labels document them
CHOICES: dict[str, type[models.TextChoices]] = {
    name: value
    for module in (people_enums, partner_enums)
    for name, value in vars(module).items()
    if isinstance(value, type) and issubclass(value, models.TextChoices) and value is not models.TextChoices
}

ACTION_KEY = "x-citemploi-action"

#: French descriptions of the answers, in the OpenAPI document and on the documentation page
STATUS_LABELS = {
    200: "Succès",
    201: "Créé",
    204: "Fait, sans contenu",
    400: "Corps de requête illisible (JSON UTF-8 attendu)",
    401: "Jeton absent, invalide ou révoqué",
    403: "Votre rôle ne permet pas cette action",
    404: "Introuvable : absent, ou hors de ce que votre rôle permet de voir",
    405: "Méthode non permise",
    409: "Conflit : doublon ou modification concurrente",
    413: "Requête trop volumineuse",
    422: "Données invalides (le détail indique chaque champ)",
}


#: Actions whose denial is answered 404 rather than 403, so that nobody learns that a person has sensitive
#: information recorded (domain.md §6: sensitive attributes are for the responsible référent only).
HIDDEN_WHEN_DENIED = frozenset({"beneficiary.view_sensitive", "beneficiary.edit_sensitive"})


def acting(request: HttpRequest) -> ActingContext:
    """The acting context the bearer token authenticated (see citemploi.api.auth)."""
    ctx = getattr(request, "auth", None)
    if not isinstance(ctx, ActingContext):
        raise PermissionDenied("Authentification requise.")
    return ctx


class PolicyRouter(Router):
    """A router whose every operation names the policy action it needs; the token authentication checks it
    before the input is read (see citemploi.api.auth.BearerTokenAuth)."""

    def add_api_operation(  # type: ignore[override]
        self, path: str, methods: list[str], view_func: Callable, **kwargs: Any
    ) -> None:
        action = (kwargs.get("openapi_extra") or {}).get(ACTION_KEY)
        if action not in POLICY:
            raise ImproperlyConfigured(
                f"{view_func.__module__}.{view_func.__name__}: declare a policy action with "
                f'openapi_extra={{"{ACTION_KEY}": "<action of citemploi.core.policy.POLICY>"}} (got {action!r}).'
            )
        if kwargs.get("auth", NOT_SET) is NOT_SET:
            kwargs["auth"] = BearerTokenAuth(action, hide_denial=action in HIDDEN_WHEN_DENIED)
        super().add_api_operation(path, methods, view_func, **kwargs)


def _json_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return JsonResponse(
        {"detail": "Adresse inconnue dans l'API. La liste des opérations est sur /api/v1/docs."},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


def _api_view(view: Callable) -> Callable:
    """Wrap a view of the API: no login redirect, no caching, French JSON for a method not allowed."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            order = ["GET", "POST", "PUT", "PATCH", "DELETE"]
            methods = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
            allow = ", ".join(sorted(methods, key=lambda m: order.index(m) if m in order else len(order)))
            response = JsonResponse(
                {
                    "detail": f"Méthode {request.method} non permise sur cette adresse (méthodes permises : {allow})."
                },
                status=405,
                json_dumps_params={"ensure_ascii": False},
            )
            response["Allow"] = allow
        add_never_cache_headers(response)
        return response

    wrapped.login_required = False  # type: ignore[attr-defined]
    wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapped


class CitemploiAPI(NinjaAPI):
    def __init__(self, *args: Any, docs_view: Callable | None = None, **kwargs: Any) -> None:
        self._docs_view = docs_view
        super().__init__(*args, **kwargs)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for name, component in schema.get("components", {}).get("schemas", {}).items():
            if name in CHOICES and "enum" in component:
                component["description"] = " ; ".join(f"{c.value} : {c.label}" for c in CHOICES[name])
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    response["description"] = STATUS_LABELS.get(int(status), response.get("description", ""))
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        patterns: list[URLResolver | URLPattern] = list(super()._get_urls())
        if self._docs_view is not None:
            patterns.append(path("docs", partial(self._docs_view, api=self), name="docs"))
        # Unknown addresses under /api/v1/ answer JSON too, not the HTML page of the site.
        patterns.append(re_path(r"^", _json_not_found, name="not-found"))
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _api_view(pattern.callback)
        return patterns
