from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from citemploi.core.context import ActingContext

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
        return self.get_response(request)
