"""Bearer token authentication: `Authorization: Bearer <token>` → the acting context of the token's membership.

A token acts with one membership (cité, structure, role): the API applies the same policy as the web screens.
"""

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from citemploi.core.access import not_found, require
from citemploi.core.context import ActingContext
from citemploi.core.models import ApiToken

#: `last_used_at` is written at most once per this interval, so that a busy client does not write on every call.
LAST_USED_PRECISION = timedelta(minutes=1)

MISSING_MESSAGE = "Authentification requise : envoyez l'en-tête « Authorization: Bearer <jeton> »."
INVALID_MESSAGE = "Jeton d'API invalide, révoqué, ou rattaché à un rôle désactivé."


class ApiAuthenticationError(AuthenticationError):
    def __init__(self, message: str) -> None:
        super().__init__(status_code=401, message=message)


def touch(token: ApiToken) -> None:
    """Record that the token was used (at most once a minute)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class BearerTokenAuth(HttpBearer):
    """Authenticates the token, then checks the operation's policy action for the token's role.

    The check runs here, before the input is read, so that a role the policy denies always gets 403 (or 404
    with `hide_denial`), whatever it sends.
    """

    openapi_bearerFormat = "cte_…"
    openapi_description = (
        "Jeton d'API créé sur l'écran « Jetons d'API » ou par la commande `citemploi api_token`. "
        "Il agit avec un rôle (cité, structure) de son titulaire."
    )

    def __init__(self, action: str | None = None, *, hide_denial: bool = False) -> None:
        self.action = action
        self.hide_denial = hide_denial
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        scheme, _, token = header.strip().partition(" ")
        if not header or scheme.lower() != "bearer" or not token.strip():
            raise ApiAuthenticationError(MISSING_MESSAGE)
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ActingContext:
        api_token = ApiToken.find(token)
        if api_token is None:
            raise ApiAuthenticationError(INVALID_MESSAGE)
        touch(api_token)
        membership = api_token.membership
        ctx = ActingContext(user=membership.user, membership=membership, via="api")
        if self.action is not None:
            try:
                require(ctx, self.action)
            except PermissionDenied:
                if self.hide_denial:
                    raise not_found() from None
                raise
        return ctx
