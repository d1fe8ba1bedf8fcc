from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from citemploi.core.context import ActingContext
from citemploi.core.policy import Role
from citemploi.partners.queries import structures_for
from citemploi.people import queries as people_queries
from citemploi.people.risks import at_risk, risks_for
from citemploi.territory.queries import qpvs_for
from citemploi.www.common import acting, paginate


def _at_risk(request: HttpRequest, ctx: ActingContext) -> dict:
    """A référent's people at risk of dropping out: those they are the référent of (or, with the switch, every
    person their structure is responsible for), each with the signals the domains raise.

    The people at risk are filtered and paginated in the database (people.risks.at_risk); the signals' details
    are read for the people of the page only: a fixed number of queries whatever the number of people."""
    whole_structure = request.GET.get("structure") == "1"
    people = people_queries.beneficiaries_for(ctx).filter(responsible_structure_id=ctx.structure_id)
    if not whole_structure:
        people = people.filter(referent_id=ctx.user.pk)
    # One evaluation of the signals' conditions (the ids, in name order), then the page's people by id: the
    # ids come from `people`, so the page is still within what the access helpers allow.
    ids = list(at_risk(ctx, people).order_by("last_name", "first_name", "id").values_list("pk", flat=True))
    page = paginate(request, ids)
    on_page = people.filter(pk__in=list(page.object_list))  # through the access helpers, as the ids
    shown = list(
        on_page.order_by("last_name", "first_name", "id").only("pk", "first_name", "last_name", "referent_id")
    )
    found = risks_for(ctx, on_page) if shown else {}
    rows = [(b, found.get(b.pk, [])) for b in shown]
    people_queries.log_list(ctx, shown, purpose="list", filters={"risques": True})
    return {
        "page": page,
        "rows": rows,
        "whole_structure": whole_structure,
        "querystring": "structure=1" if whole_structure else "",
    }


def home(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    if ctx is None or ctx.membership is None:
        return redirect("choose_context")
    figures = {}
    if ctx.can("beneficiary.view"):
        figures["people"] = people_queries.beneficiaries_for(ctx).count()
    if ctx.can("structure.view"):
        figures["structures"] = structures_for(ctx).count()
    figures["qpvs"] = qpvs_for(ctx).count()
    context: dict = {
        "figures": figures,
        "is_aggregate_only": ctx.role in {Role.STEERING, Role.NATIONAL, Role.REVIEWER},
        "risks": None,
        "cite_at_risk": None,
        "can_settings": ctx.can("tracking.settings"),
        "can_checks": ctx.can("outcome.record"),
    }
    if ctx.role == Role.REFERENT and ctx.structure_id is not None:
        context["risks"] = _at_risk(request, ctx)
    elif ctx.role == Role.COORDINATOR and ctx.can("beneficiary.view"):
        # A count only: the coordinator opens the files from the list of people.
        context["cite_at_risk"] = at_risk(ctx, people_queries.beneficiaries_for(ctx)).count()
    return render(request, "home/home.html", context)


@login_not_required
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "home/privacy.html")


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "home/accessibility.html")
