from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from citemploi.core.policy import POLICY

#: (url name, label, action that must be allowed)
NAV = [
    ("people:list", "Personnes", "beneficiary.view"),
    ("offer:list", "Offre de services", "service.view"),
    ("partners:list", "Partenaires", "structure.view"),
    ("partnership:home", "Partenariat", "partnership.view"),
    ("orientations:list", "Orientations", "orientation.view"),
    ("tracking:checks_due", "Points de suivi", "outcome.record"),
    ("cohorts:list", "Cohortes", "cohort.view"),
    ("calls:list", "Appels à projets", "call.view"),
    ("reporting:home", "Indicateurs", "indicator.view"),
    ("diagnostic:home", "Diagnostic", "diagnostic.view"),
    ("budget:home", "Budget", "budget.view"),
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
        # Entries of domains not installed yet (no action in the policy, or no URL) are left out.
        if action not in POLICY or not acting.can(action):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": name.split(":")[0] == current})
    return {"nav_items": items}
