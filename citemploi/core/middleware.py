from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from citemploi.core.context import ActingContext, acting_cite_resolver

if TYPE_CHECKING:
    from citemploi.partners.models import Membership

SESSION_KEY = "citemploi_membership_id"


#: request attribute holding the signed-in user's active memberships once read (see active_memberships)
_MEMBERSHIPS_ATTR = "_citemploi_active_memberships"


def active_memberships(request: HttpRequest) -> "list[Membership]":
    """The signed-in user's active memberships, with their cité and structure, read once per request: the
    second-factor check (citemploi.accounts.middleware) and the acting context both need them."""
    cached = request.__dict__.get(_MEMBERSHIPS_ATTR)
    if cached is None:
        from citemploi.partners.models import Membership

        cached = list(
            Membership.objects.filter(user=request.user, is_active=True).select_related("cite", "structure")
        )
        setattr(request, _MEMBERSHIPS_ATTR, cached)
    return cached


def _acting_context(request: HttpRequest) -> ActingContext | None:
    user = request.user
    if not user.is_authenticated:
        return None
    chosen_id = request.session.get(SESSION_KEY)
    membership = None
    if _MEMBERSHIPS_ATTR in request.__dict__:
        # already read this request (second-factor check): the same rows, in the same order, without a query
        memberships = active_memberships(request)
        if chosen_id is not None:
            membership = next((m for m in memberships if m.pk == chosen_id), None)
        candidates = memberships[:2]
    else:
        from citemploi.partners.models import Membership

        qs = Membership.objects.filter(user=user, is_active=True).select_related("cite", "structure")
        if chosen_id is not None:
            membership = qs.filter(pk=chosen_id).first()
        candidates = list(qs[:2]) if membership is None else []
    if membership is None and len(candidates) == 1:
        membership = candidates[0]
        request.session[SESSION_KEY] = membership.pk
    return ActingContext(user=user, membership=membership)  # type: ignore[arg-type]


class CurrentContextMiddleware:
    """Puts the acting context (cité, structure, role the user picked) on the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.acting = SimpleLazyObject(lambda: _acting_context(request))  # type: ignore[attr-defined]
        token = acting_cite_resolver.set(lambda: acting_cite_id(request))
        try:
            return self.get_response(request)
        finally:
            acting_cite_resolver.reset(token)


def acting_cite_id(request: HttpRequest) -> int | None:
    """The cité the request acts in, if already known (API token or evaluated acting context); None else.

    Read when the request writes, to tell which cité's figures changed (citemploi.reporting.freshness): it
    never triggers a query, and an unknown cité counts as a change for every cité.
    """
    auth = getattr(request, "auth", None)
    if isinstance(auth, ActingContext):
        return auth.cite_id
    lazy = request.__dict__.get("acting")
    ctx = getattr(lazy, "_wrapped", empty)
    if isinstance(ctx, ActingContext):
        return ctx.cite_id
    return None
