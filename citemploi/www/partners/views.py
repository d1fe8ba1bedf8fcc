from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from citemploi.accounts.models import User
from citemploi.accounts.services import send_invitation
from citemploi.partners import queries, services
from citemploi.partners.models import Membership
from citemploi.www.common import acting, action_required, paginate, render_partial_or_full
from citemploi.www.partners.forms import MemberForm, PartnershipForm, StructureFilterForm, StructureForm


@action_required("structure.view")
def structure_list(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = StructureFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, queries.structure_rows(ctx, params))
    query = request.GET.copy()
    query.pop("page", None)
    return render_partial_or_full(
        request,
        "partners/list.html",
        "results",
        {
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "can_create": ctx.can("structure.create"),
        },
    )


@action_required("structure.view")
def structure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    structure = queries.access_structure_for(ctx, pk)
    members = (
        Membership.objects.filter(structure=structure, cite_id=ctx.cite_id, is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id")
    )
    return render(
        request,
        "partners/detail.html",
        {
            "structure": structure,
            "partnership": queries.partnership_in(ctx, structure),
            "members": members,
            "can_edit": queries.can_edit(ctx, structure),
            "can_manage_members": ctx.can("membership.manage"),
            "member_form": MemberForm(),
        },
    )


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


@action_required("structure.create")
def structure_create(request: HttpRequest) -> HttpResponse:
    ctx = acting(request)
    form = StructureForm(request.POST or None, cite_id=ctx.cite_id or 0)
    pform = PartnershipForm(request.POST or None, cite_id=ctx.cite_id or 0)
    if request.method == "POST" and form.is_valid() and pform.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            structure = services.create_structure(
                ctx=ctx,
                data=data,
                partnership={k: pform.cleaned_data[k] for k in services.PARTNERSHIP_FIELDS},
                qpvs=pform.cleaned_data["qpvs"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"La structure {structure} a été ajoutée au partenariat.")
            return redirect("partners:detail", pk=structure.pk)
    return render(request, "partners/form.html", {"form": form, "pform": pform, "creating": True})


@action_required("structure.edit")
def structure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    structure = queries.access_structure_for(ctx, pk, "structure.edit")
    partnership = queries.partnership_in(ctx, structure)
    can_edit_partnership = ctx.scope("structure.edit") == "cite"
    form = StructureForm(
        request.POST or None,
        instance=structure,
        cite_id=ctx.cite_id or 0,
        can_classify=can_edit_partnership,
        initial={"version": structure.version},
    )
    pform = (
        PartnershipForm(request.POST or None, instance=partnership, cite_id=ctx.cite_id or 0)
        if can_edit_partnership
        else None
    )
    if request.method == "POST" and form.is_valid() and (pform is None or pform.is_valid()):
        structure.refresh_from_db()
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.update_structure(
                ctx=ctx,
                structure=structure,
                data=data,
                partnership={k: pform.cleaned_data[k] for k in services.PARTNERSHIP_FIELDS}
                if pform
                else None,
                qpvs=pform.cleaned_data["qpvs"] if pform else None,
                expected_version=form.cleaned_data.get("version"),
            )
        except services.StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Structure enregistrée.")
            return redirect("partners:detail", pk=structure.pk)
    return render(
        request,
        "partners/form.html",
        {"form": form, "pform": pform, "creating": False, "structure": structure},
    )


@require_POST
@action_required("membership.manage")
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    structure = queries.access_structure_for(ctx, pk)
    form = MemberForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Membre non ajouté : " + "; ".join(e for errs in form.errors.values() for e in errs)
        )
        return redirect("partners:detail", pk=structure.pk)
    email = form.cleaned_data["email"].lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        invited = user is None
        if user is None:
            user = User.objects.create_user(
                username=email,
                email=email,
                password=None,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        try:
            services.add_member(ctx=ctx, user=user, structure=structure, role=form.cleaned_data["role"])
        except ValidationError as exc:
            transaction.set_rollback(True)
            messages.error(request, " ".join(exc.messages))
            return redirect("partners:detail", pk=structure.pk)
    if invited:
        send_invitation(user, invited_by=ctx.user, cite_name=str(ctx.cite))
        messages.success(
            request, f"{user} a été invité·e : un e-mail lui permet de choisir son mot de passe."
        )
    else:
        messages.success(request, f"{user} a maintenant ce rôle dans la cité.")
    return redirect("partners:detail", pk=structure.pk)


@require_POST
@action_required("membership.manage")
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    ctx = acting(request)
    structure = queries.access_structure_for(ctx, pk)
    membership = Membership.objects.filter(
        pk=membership_pk, structure=structure, cite_id=ctx.cite_id or 0
    ).first()
    if membership is None:
        raise Http404
    services.deactivate_member(ctx=ctx, membership=membership)
    messages.success(request, "Rôle retiré.")
    return redirect("partners:detail", pk=structure.pk)
