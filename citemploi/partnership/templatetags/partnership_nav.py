"""The sections of the partnership screens, as the acting role may reach them."""

from django import template
from django.urls import reverse

register = template.Library()

#: (url name, label, action)
SECTIONS = [
    ("partnership:home", "Carte et réseau", "partnership.view"),
    ("partnership:committee_list", "Instances", "governance.view"),
    ("partnership:roadmap", "Feuille de route", "roadmap.view"),
    ("partnership:event_list", "Actions et événements", "event.view"),
    ("partnership:employer_list", "Entreprises engagées", "employer.view"),
]


@register.inclusion_tag("partnership/_subnav.html", takes_context=True)
def partnership_sections(context: template.Context, current: str) -> dict:
    request = context["request"]
    ctx = getattr(request, "acting", None)
    items = []
    for name, label, action in SECTIONS:
        if ctx is not None and ctx.membership is not None and ctx.can(action):
            items.append({"url": reverse(name), "label": label, "current": name == current})
    return {"items": items}
