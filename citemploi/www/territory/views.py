from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from citemploi.territory import queries, services
from citemploi.www.common import acting, action_required, paginate


class QPVFilterForm(forms.Form):
    q = forms.CharField(label="Nom ou code", required=False)
    department = forms.CharField(label="Département", required=False, max_length=3)


class QPVEditForm(forms.Form):
    veille_active = forms.BooleanField(
        label="En veille active", required=False, help_text="Plus éligible aux appels à projets de la cité."
    )
    population = forms.IntegerField(label="Population", required=False, min_value=0)


@action_required("qpv.view")
def qpv_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = QPVFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, queries.qpv_rows(ctx, params), per_page=50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "territory/qpv_list.html",
        {"form": form, "page": page, "querystring": query.urlencode(), "can_edit": ctx.can("qpv.edit")},
    )


@action_required("qpv.edit")
def qpv_edit(request: HttpRequest, code: str) -> HttpResponse:
    ctx = acting(request)
    qpv = queries.access_qpv_for(ctx, code, "qpv.edit")
    form = QPVEditForm(
        request.POST or None, initial={"veille_active": qpv.veille_active, "population": qpv.population}
    )
    if request.method == "POST" and form.is_valid():
        services.update_qpv(ctx=ctx, qpv=qpv, **form.cleaned_data)
        messages.success(request, f"{qpv.name} enregistré.")
        return redirect("territory:qpv_list")
    return render(request, "territory/qpv_edit.html", {"form": form, "qpv": qpv})
