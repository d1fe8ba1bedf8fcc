from django.http import HttpRequest
from django.urls import reverse

#: (url name, label, action that must be allowed)
NAV = [
    ("people:list", "Personnes", "beneficiary.view"),
    ("partners:list", "Partenaires", "structure.view"),
    ("territory:qpv_list", "QPV", "qpv.view"),
    ("audit:list", "Journal d'accès", "audit.view"),
]


def navigation(request: HttpRequest) -> dict:
    acting = getattr(request, "acting", None)
    if not request.user.is_authenticated or acting is None or acting.membership is None:
        return {"nav_items": []}
    current = request.resolver_match.namespace if request.resolver_match else ""
    items = []
    for name, label, action in NAV:
        if acting.can(action):
            items.append({"url": reverse(name), "label": label, "current": name.split(":")[0] == current})
    return {"nav_items": items}
