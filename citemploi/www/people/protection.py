"""Screens of the coordinators' data-protection acts: break-glass emergency access and erasure on request.

Both are coordinator acts (the policy's `beneficiary.emergency_access` and `beneficiary.erase`) on a person
they may see, behind a recent re-authentication; `emergency_access.review` lists the accesses.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from citemploi.people import breakglass, erasure, queries
from citemploi.people.enums import ErasureBasis
from citemploi.www.auth.reauth import reauth_required
from citemploi.www.common import acting, action_required, paginate


class EmergencyAccessForm(forms.Form):
    justification = forms.CharField(
        label="Justification",
        help_text=(
            f"{breakglass.MIN_JUSTIFICATION_LENGTH} caractères au moins : pourquoi cet accès est urgent et "
            "ne peut attendre le ou la référent·e. Elle sera relue et communiquée au ou à la référent·e."
        ),
        min_length=breakglass.MIN_JUSTIFICATION_LENGTH,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ErasureForm(forms.Form):
    legal_basis = forms.ChoiceField(label="Fondement juridique", choices=ErasureBasis.choices)
    reason = forms.CharField(
        label="Motif de la demande",
        help_text=(
            f"{erasure.MIN_REASON_LENGTH} caractères au moins, sans information sensible : "
            "qui a demandé l'effacement, quand et comment."
        ),
        min_length=erasure.MIN_REASON_LENGTH,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirm = forms.BooleanField(
        label="Je confirme l'effacement définitif des données de cette personne.", required=True
    )


@reauth_required
@action_required("beneficiary.emergency_access")
def emergency_access(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, pk)
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = breakglass.open_access(
                ctx=ctx, beneficiary=b, justification=form.cleaned_data["justification"]
            )
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.warning(
                request,
                f"Accès d'urgence ouvert jusqu'à {access.expires_at:%H:%M} : il est journalisé et "
                "signalé au ou à la référent·e.",
            )
            return redirect("people:detail", pk=b.pk)
    return render(
        request,
        "people/emergency_access.html",
        {"b": b, "form": form, "duration": int(breakglass.DURATION.total_seconds() // 60)},
    )


@action_required("emergency_access.review")
def emergency_review(request: HttpRequest) -> HttpResponse:
    """Every emergency access of the cité: who, when, why, and what was read during it."""
    ctx = acting(request)
    page = paginate(request, breakglass.accesses_for_review(ctx))
    accesses = list(page.object_list)
    reads = breakglass.reads_during(accesses)
    rows = [{"access": access, "reads": reads[access.pk]} for access in accesses]
    return render(request, "people/emergency_review.html", {"page": page, "rows": rows})


@reauth_required
@action_required("beneficiary.erase")
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    ctx = acting(request)
    b = queries.access_beneficiary_for(ctx, pk)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure.erase_person(
                ctx=ctx,
                beneficiary=b,
                legal_basis=form.cleaned_data["legal_basis"],
                reason=form.cleaned_data["reason"],
            )
        except (PermissionDenied, ValidationError) as exc:
            form.add_error(None, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, "Les données de la personne ont été effacées.")
            return redirect("people:list")
    return render(request, "people/erase.html", {"b": b, "form": form})
