from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from citemploi.partnership.queries.events import attended_events_for
from citemploi.people import exports, queries, services
from citemploi.people.panels import panels_for
from citemploi.www.auth.reauth import reauth_required
from citemploi.www.common import acting, action_required, paginate, render_partial_or_full
from citemploi.www.people.forms import (
    BeneficiaryFilterForm,
    BeneficiaryForm,
    ConsentForm,
    FollowUpForm,
    SensitiveForm,
)


def _filtered(request: HttpRequest):
    ctx = acting(request)
    form = BeneficiaryFilterForm(request.GET or None, ctx=ctx)
    qs = (
        queries.beneficiaries_for(ctx)
        # the list and its export show the QPV and the responsible structure; the référent's account is not
        # shown (whether the user is the référent needs only referent_id)
        .select_related("qpv", "responsible_structure")
        # the QPV's contour (GeoJSON, often tens of kB) is never shown here: not read and parsed per row
        .defer("qpv__contour")
    )
    params = form.cleaned_data if form.is_valid() else {}
    return form, queries.filter_beneficiaries(qs, params), params


@action_required("beneficiary.view")
def beneficiary_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form, qs, params = _filtered(request)
    page = paginate(request, qs.order_by("last_name", "first_name", "id"))
    rows = list(page.object_list)
    queries.log_list(ctx, rows, purpose="list", filters={k: str(v) for k, v in params.items() if v})
    labelled = [(b, queries.responsible_structure_label(ctx, b)) for b in rows]
    query = request.GET.copy()
    query.pop("page", None)
    return render_partial_or_full(
        request,
        "people/list.html",
        "results",
        {
            "form": form,
            "page": page,
            "rows": labelled,
            "querystring": query.urlencode(),
            "can_create": ctx.can("beneficiary.create"),
            "can_export": ctx.can("beneficiary.export"),
            "can_import": ctx.can("beneficiary.import"),
        },
    )


@reauth_required
@action_required("beneficiary.export")
def beneficiary_export(request: HttpRequest, fmt: str) -> HttpResponse:
    ctx = acting(request)
    _form, qs, params = _filtered(request)
    rows = list(qs.order_by("last_name", "first_name", "id"))
    queries.log_list(ctx, rows, purpose="export", filters={k: str(v) for k, v in params.items() if v})
    return exports.beneficiaries_response(ctx, rows, fmt)


@action_required("beneficiary.view")
def beneficiary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, pk)
    # the file and its panels check many actions on this person: one query per scope, not per action
    queries.remember_access(ctx, b)
    can_consent = queries.can(ctx, "beneficiary.consent", b)
    can_followup = queries.can(ctx, "beneficiary.followup_group", b)
    return render(
        request,
        "people/detail.html",
        {
            "b": b,
            "responsible_label": queries.responsible_structure_label(ctx, b),
            "sensitive": queries.sensitive_for(ctx, b),
            "followup": queries.followup_group_for(ctx, b),
            # the page shows who recorded a consent, not who withdrew it
            "consents": queries.consents_for(ctx, b).select_related(None).select_related("recorded_by"),
            "can_edit": queries.can(ctx, "beneficiary.edit", b),
            "can_consent": can_consent,
            "can_followup": can_followup,
            "can_right_of_access": queries.can(ctx, "beneficiary.right_of_access", b),
            # the coordinators' data-protection acts (break-glass, erasure): www/people/protection.py
            "can_emergency_access": ctx.can("beneficiary.emergency_access"),
            "can_erase": ctx.can("beneficiary.erase"),
            # the forms (and the structures the follow-up form offers) only for those the page shows them to
            "consent_form": ConsentForm() if can_consent else None,
            "followup_form": FollowUpForm(ctx=ctx, beneficiary=b) if can_followup else None,
            "attended_events": attended_events_for(ctx, b),
            "panels": panels_for(ctx, b),
        },
    )


@action_required("beneficiary.create")
def beneficiary_create(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = BeneficiaryForm(request.POST or None, ctx=ctx, creating=True)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            b = services.create_beneficiary(
                ctx=ctx,
                data=form.service_data(),
                responsible_structure=form.cleaned_data.get("responsible_structure"),
                allow_duplicate=request.POST.get("confirm_homonym") == "1",
            )
        except services.DuplicateIdentity as dup:
            duplicate = dup
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"La fiche de {b} a été créée.")
            return redirect("people:detail", pk=b.pk)
    return render(request, "people/form.html", {"form": form, "creating": True, "duplicate": duplicate})


def _attach_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@action_required("beneficiary.edit")
def beneficiary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, pk, "beneficiary.edit")
    form = BeneficiaryForm(
        request.POST or None, instance=b, ctx=ctx, creating=False, initial={"version": b.version}
    )
    duplicate = None
    if request.method == "POST" and form.is_valid():
        b.refresh_from_db()  # the form mutated the instance; the service compares with the stored values
        try:
            services.update_beneficiary(
                ctx=ctx,
                beneficiary=b,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except services.StaleEdit as exc:
            form.add_error(None, str(exc))
        except services.DuplicateIdentity as dup:
            duplicate = dup
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "Fiche enregistrée.")
            return redirect("people:detail", pk=b.pk)
    return render(
        request, "people/form.html", {"form": form, "creating": False, "b": b, "duplicate": duplicate}
    )


@action_required("beneficiary.edit_sensitive")
def beneficiary_sensitive(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, pk, "beneficiary.edit_sensitive")
    info = queries.sensitive_for(ctx, b)
    form = SensitiveForm(request.POST or None, instance=info)
    if request.method == "POST" and form.is_valid():
        services.update_sensitive(ctx=ctx, beneficiary=b, values=form.cleaned_data)
        messages.success(request, "Informations sensibles enregistrées.")
        return redirect("people:detail", pk=b.pk)
    return render(request, "people/sensitive.html", {"form": form, "b": b})


@require_POST
@action_required("beneficiary.consent")
def consent_record(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, pk, "beneficiary.consent", log_read=False)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.record_consent(ctx=ctx, beneficiary=b, **form.cleaned_data)
            messages.success(request, "Consentement enregistré.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(
            request, "Consentement non enregistré : vérifiez l'objet, le mode de recueil et la date."
        )
    return redirect("people:detail", pk=b.pk)


@require_POST
@action_required("beneficiary.consent")
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, pk, "beneficiary.consent", log_read=False)
    consent = b.consents.filter(pk=consent_pk).first()
    if consent is None:
        raise Http404
    try:
        services.withdraw_consent(ctx=ctx, consent=consent)
        messages.success(request, "Consentement retiré : le partage avec les partenaires s'arrête.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("people:detail", pk=b.pk)


@require_POST
@action_required("beneficiary.followup_group")
def followup_add(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, pk, "beneficiary.followup_group", log_read=False)
    form = FollowUpForm(request.POST, ctx=ctx, beneficiary=b)
    if form.is_valid():
        try:
            services.add_followup_member(
                ctx=ctx,
                beneficiary=b,
                structure=form.cleaned_data["structure"],
                role=form.cleaned_data["role"],
            )
            messages.success(request, "Structure ajoutée au groupe de suivi.")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.error(request, "Choisissez une structure partenaire de la cité.")
    return redirect("people:detail", pk=b.pk)


@require_POST
@action_required("beneficiary.followup_group")
def followup_end(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, pk, "beneficiary.followup_group", log_read=False)
    member = b.followup_members.filter(pk=member_pk, ended_at__isnull=True).first()
    if member is None:
        raise Http404
    services.end_followup_member(ctx=ctx, member=member)
    messages.success(request, "Structure retirée du groupe de suivi.")
    return redirect("people:detail", pk=b.pk)


@action_required("beneficiary.right_of_access")
def right_of_access(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, pk, "beneficiary.right_of_access")
    return exports.right_of_access_response(ctx, b, fmt)
