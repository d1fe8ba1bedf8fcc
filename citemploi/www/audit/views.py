from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from citemploi.core.queries import audit_events_for
from citemploi.www.common import acting, action_required, paginate

CODES = [
    ("", "Tous"),
    ("beneficiary.read", "Consultation d'une fiche"),
    ("beneficiary.list", "Consultation d'une liste"),
    ("beneficiary.export", "Export d'une liste"),
    ("beneficiary.create", "Création d'une fiche"),
    ("beneficiary.update", "Modification d'une fiche"),
    ("beneficiary.sensitive", "Informations sensibles"),
    ("beneficiary.import", "Import"),
    ("consent", "Consentements"),
    ("followup", "Groupe de suivi"),
    ("structure", "Structures"),
    ("membership", "Membres"),
]


class AuditFilterForm(forms.Form):
    code = forms.ChoiceField(label="Événement", choices=CODES, required=False)
    actor = forms.CharField(label="Auteur", required=False)
    beneficiary = forms.IntegerField(label="N° de fiche", required=False, min_value=1)


@action_required("audit.view")
def audit_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = AuditFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, audit_events_for(ctx, params), per_page=50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"form": form, "page": page, "querystring": query.urlencode()})
