from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from citemploi.core.policy import Role
from citemploi.partners.queries import structures_for
from citemploi.people.queries import beneficiaries_for
from citemploi.territory.queries import qpvs_for
from citemploi.www.common import acting


def home(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    if ctx is None or ctx.membership is None:
        return redirect("choose_context")
    figures = {}
    if ctx.can("beneficiary.view"):
        figures["people"] = beneficiaries_for(ctx).count()
    if ctx.can("structure.view"):
        figures["structures"] = structures_for(ctx).count()
    figures["qpvs"] = qpvs_for(ctx).count()
    return render(
        request,
        "home/home.html",
        {"figures": figures, "is_aggregate_only": ctx.role in {Role.STEERING, Role.NATIONAL, Role.REVIEWER}},
    )


@login_not_required
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "home/privacy.html")


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "home/accessibility.html")
