"""Writes on API tokens, shared by the "Jetons d'API" screen and the `api_token` command.

A token acts with one membership of its holder; only its hash is stored, so the token is shown once, when
created. Creating and revoking a token are audited.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from citemploi.core import audit
from citemploi.core.context import ActingContext
from citemploi.core.models import ApiToken

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    #: the token itself: give it to its holder now, it cannot be shown again
    raw: str


def tokens_for(ctx: ActingContext) -> QuerySet[ApiToken]:
    """The tokens of the acting membership, newest first."""
    if ctx.membership is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(membership=ctx.membership).order_by("-created_at", "-id")


@transaction.atomic
def create_token(*, ctx: ActingContext, name: str = "") -> NewToken:
    """A new token acting with the membership of the acting context, for its own user."""
    if ctx.membership is None or not ctx.membership.is_active or ctx.membership.user_id != ctx.user.pk:
        raise PermissionDenied("Choisissez le rôle avec lequel le jeton agira.")
    name = (name or "").strip()
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": f"Le nom du jeton compte au plus {NAME_MAX_LENGTH} caractères."})
    raw, prefix, token_hash = ApiToken.generate()
    token = ApiToken.objects.create(
        membership=ctx.membership, name=name, prefix=prefix, token_hash=token_hash
    )
    audit.log(ctx, "api_token.create", token, changes={"name": [None, name], "prefix": [None, prefix]})
    return NewToken(token=token, raw=raw)


@transaction.atomic
def revoke_token(*, ctx: ActingContext, token: ApiToken) -> ApiToken:
    """Revoke a token of the acting user: it stops working at once."""
    locked = ApiToken.objects.select_for_update().select_related("membership").get(pk=token.pk)
    if locked.membership.user_id != ctx.user.pk:
        raise PermissionDenied("Ce jeton n'est pas le vôtre.")
    if locked.revoked_at is not None:
        raise ValidationError("Ce jeton est déjà révoqué.")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit.log(
        ctx,
        "api_token.revoke",
        locked,
        cite_id=locked.membership.cite_id,
        changes={"prefix": [locked.prefix, locked.prefix], "revoked_at": [None, locked.revoked_at]},
    )
    return locked
