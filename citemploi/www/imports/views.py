from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from citemploi.www.common import action_required


@action_required("beneficiary.import")
def people_import(request: HttpRequest) -> HttpResponse:
    return render(request, "imports/people.html", {})
