from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject, empty

from citemploi.core.context import ActingContext, acting_cite_resolver

SESSION_KEY = "citemploi_membership_id"


def _acting_context(request: HttpRequest) -> ActingContext | None:
    user = request.user
    if not user.is_authenticated:
        return None
    from citemploi.partners.models import Membership

    memberships = Membership.objects.filter(user=user, is_active=True).select_related("cite", "structure")
    chosen_id = request.session.get(SESSION_KEY)
    membership = None
    if chosen_id is not None:
        membership = memberships.filter(pk=chosen_id).first()
    if membership is None:
        candidates = list(memberships[:2])
        if len(candidates) == 1:
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
