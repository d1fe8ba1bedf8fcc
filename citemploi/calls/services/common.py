"""Helpers shared by the services."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Model

from citemploi.core.access import require
from citemploi.core.concurrency import StaleEdit  # noqa: F401 - re-exported for callers
from citemploi.core.context import ActingContext


class IllegalState(PermissionDenied):
    """The action is allowed to the user but not in the object's current state (a locked session, a review
    already sent, an agreement not signed yet…): screens show the message, the API answers 409."""


def check_version(obj: Any, expected_version: int | None, what: str = "Le dossier") -> None:
    if expected_version is not None and obj.version != expected_version:
        raise StaleEdit(
            f"{what} a été modifié entre-temps. Rechargez la page ; votre saisie n'a pas été enregistrée."
        )


def bump_version(obj: Model) -> None:
    type(obj).objects.filter(pk=obj.pk).update(version=F("version") + 1)
    obj.refresh_from_db(fields=["version"])


def require_in_cite(ctx: ActingContext, action: str, cite_id: int) -> None:
    """The action is allowed and the object belongs to the acting cité."""
    require(ctx, action)
    if cite_id != ctx.cite_id:
        raise PermissionDenied("Cet objet ne relève pas de votre cité.")


def invalid(field: str | None, message: str) -> ValidationError:
    return ValidationError({field: message} if field else message)
