from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from citemploi.partnership.mapping import partnership_map
from citemploi.partnership.network import network_for
from citemploi.www.common import acting, action_required


@action_required("partnership.view")
def home(request: HttpRequest) -> HttpResponse:
    """The map of the partnership (structures by kind) and its network, as a picture and as a table."""
    ctx = acting(request)
    return render(
        request,
        "partnership/home.html",
        {"map": partnership_map(ctx), "network": network_for(ctx)},
    )


@action_required("partnership.view")
def network_svg(request: HttpRequest) -> HttpResponse:
    """The network picture as an SVG file (for a Copil presentation)."""
    ctx = acting(request)
    svg = render_to_string(
        "partnership/_network_svg.html", {"network": network_for(ctx), "standalone": True}, request=request
    )
    response = HttpResponse('<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml")
    response["Content-Disposition"] = 'attachment; filename="reseau-partenarial.svg"'
    return response
