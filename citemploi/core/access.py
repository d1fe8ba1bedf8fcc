"""Generic access checks shared by the web screens and the API."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from citemploi.core.context import ActingContext
from citemploi.core.policy import Scope


class NoContext(PermissionDenied):
    """The user has not picked the cité/structure they act for."""


def require(ctx: ActingContext | None, action: str) -> Scope:
    """The scope of an action for the acting context; PermissionDenied when not allowed."""
    if ctx is None:
        raise PermissionDenied("Authentification requise.")
    if ctx.membership is None:
        raise NoContext("Choisissez la cité et la structure pour lesquelles vous agissez.")
    scope = ctx.scope(action)
    if scope == Scope.NONE:
        raise PermissionDenied("Votre rôle ne permet pas cette action.")
    return scope


def not_found() -> Http404:
    """Absent and forbidden objects give the same answer."""
    return Http404("Introuvable.")
