from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from citemploi.partnership.queries import employers as queries
from citemploi.partnership.services import employers as services
from citemploi.partnership.services.common import StaleEdit
from citemploi.www.common import acting, action_required, paginate, render_partial_or_full
from citemploi.www.partnership.forms.common import attach_errors
from citemploi.www.partnership.forms.employers import ContactForm, EmployerFilterForm, EmployerForm, OfferForm


@action_required("employer.view")
def employer_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = EmployerFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, queries.employer_rows(ctx, params))
    query = request.GET.copy()
    query.pop("page", None)
    return render_partial_or_full(
        request,
        "partnership/employer_list.html",
        "results",
        {
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "can_manage": ctx.can("employer.manage"),
        },
    )


@action_required("employer.manage")
def employer_create(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = EmployerForm(request.POST or None, ctx=ctx)
    if request.method == "POST" and form.is_valid():
        try:
            employer = services.create_employer(
                ctx=ctx, data=form.service_data(), engagements=form.cleaned_data["engagements"]
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"L'entreprise {employer} est enregistrée.")
            return redirect("partnership:employer_detail", pk=employer.pk)
    return render(request, "partnership/employer_form.html", {"form": form, "employer": None})


@action_required("employer.manage")
def employer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    employer = queries.access_employer_for(ctx, pk, "employer.manage")
    form = EmployerForm(request.POST or None, instance=employer, ctx=ctx)
    if request.method == "POST" and form.is_valid():
        employer.refresh_from_db()
        try:
            services.update_employer(
                ctx=ctx,
                employer=employer,
                data=form.service_data(),
                engagements=form.cleaned_data["engagements"],
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Entreprise enregistrée.")
            return redirect("partnership:employer_detail", pk=employer.pk)
    return render(request, "partnership/employer_form.html", {"form": form, "employer": employer})


@action_required("employer.view")
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    employer = queries.access_employer_for(ctx, pk)
    can_manage = ctx.can("employer.manage")
    return render(
        request,
        "partnership/employer_detail.html",
        {
            "employer": employer,
            "engagements": employer.engagements.all(),
            "offers": employer.offers.order_by("-is_active", "kind", "id"),
            "contacts": employer.contacts.all(),
            "events": queries.employer_events(employer),
            "can_manage": can_manage,
            "offer_form": OfferForm(prefix="offre") if can_manage else None,
            "contact_form": ContactForm(prefix="contact") if can_manage else None,
        },
    )


@require_POST
@action_required("employer.manage")
def offer_add(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    employer = queries.access_employer_for(ctx, pk, "employer.manage")
    form = OfferForm(request.POST, prefix="offre")
    if form.is_valid():
        try:
            services.add_offer(ctx=ctx, employer=employer, data=form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "Proposition non ajoutée : " + " ".join(exc.messages))
        else:
            messages.success(request, "Proposition ajoutée.")
    else:
        messages.error(
            request,
            "Proposition non ajoutée : " + " ".join(e for errors in form.errors.values() for e in errors),
        )
    return redirect("partnership:employer_detail", pk=employer.pk)


@require_POST
@action_required("employer.manage")
def offer_end(request: HttpRequest, pk: int, offer_pk: int) -> HttpResponse:
    ctx = acting(request)
    employer = queries.access_employer_for(ctx, pk, "employer.manage")
    offer = employer.offers.filter(pk=offer_pk, is_active=True).select_related("employer").first()
    if offer is None:
        raise Http404("Introuvable.")
    services.end_offer(ctx=ctx, offer=offer)
    messages.success(request, "Proposition marquée comme terminée.")
    return redirect("partnership:employer_detail", pk=employer.pk)


@require_POST
@action_required("employer.manage")
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    employer = queries.access_employer_for(ctx, pk, "employer.manage")
    form = ContactForm(request.POST, prefix="contact")
    if form.is_valid():
        services.add_contact(ctx=ctx, employer=employer, data=form.cleaned_data)
        messages.success(request, "Contact ajouté.")
    else:
        messages.error(
            request, "Contact non ajouté : " + " ".join(e for errors in form.errors.values() for e in errors)
        )
    return redirect("partnership:employer_detail", pk=employer.pk)


@require_POST
@action_required("employer.manage")
def contact_remove(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    ctx = acting(request)
    employer = queries.access_employer_for(ctx, pk, "employer.manage")
    contact = employer.contacts.filter(pk=contact_pk).select_related("employer").first()
    if contact is None:
        raise Http404("Introuvable.")
    services.remove_contact(ctx=ctx, contact=contact)
    messages.success(request, "Contact retiré.")
    return redirect("partnership:employer_detail", pk=employer.pk)
