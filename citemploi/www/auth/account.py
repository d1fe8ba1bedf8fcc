"""The account's security page: the state of the second factor, new recovery codes, switching it off.

New recovery codes and switching the second factor off both need the identity confirmed just before
(password and TOTP code, `reauth_required`), so that a session left open is not enough. Users whose roles
require a second factor (coordination, national animation, superusers) cannot switch it off themselves:
only the platform's administrators reset it (`citemploi reset_2fa`), after checking who is asking.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from citemploi.accounts import security
from citemploi.www.auth.reauth import reauth_required
from citemploi.www.auth.views import signed_in_user, to_step

#: identity confirmed within the last 5 minutes for these acts
MAX_AGE = 5 * 60


def account_security(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    device = security.device_for(user)
    return render(
        request,
        "auth/account_security.html",
        {
            "device": device,
            "remaining": security.remaining_recovery_codes(user) if device else 0,
            "total": security.RECOVERY_CODE_COUNT,
            "required": security.requires_second_factor(user),
            "enrol_url": to_step("two_factor_enrol", reverse("account_security")),
        },
    )


@reauth_required(max_age=MAX_AGE)
@require_http_methods(["GET", "POST"])
def regenerate_recovery_codes(request: HttpRequest) -> HttpResponse:
    """GET: what will happen; POST: new codes, shown once (the old ones stop working)."""
    user = signed_in_user(request)
    if security.device_for(user) is None:
        messages.error(request, "Activez d'abord la double authentification.")
        return redirect("account_security")
    if request.method == "POST":
        codes = security.regenerate_recovery_codes(user)
        response = render(
            request,
            "auth/two_factor_recovery_codes.html",
            {"codes": codes, "next": reverse("account_security"), "heading": "Nouveaux codes de secours"},
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "auth/two_factor_confirm.html",
        {
            "heading": "Générer de nouveaux codes de secours",
            "text": f"{security.RECOVERY_CODE_COUNT} nouveaux codes vont être créés et affichés une seule fois. "
            "Vos codes actuels, utilisés ou non, ne fonctionneront plus.",
            "button": "Générer de nouveaux codes",
        },
    )


@reauth_required(max_age=MAX_AGE)
@require_http_methods(["GET", "POST"])
def disable_two_factor(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if security.requires_second_factor(user):
        return render(
            request,
            "auth/two_factor_confirm.html",
            {
                "heading": "Désactiver la double authentification",
                "refused": "Votre rôle (coordination, animation nationale ou administration) impose la double "
                "authentification : vous ne pouvez pas la désactiver. Si vous avez perdu votre téléphone, "
                "connectez-vous avec un code de secours, ou demandez à l'équipe qui administre la plateforme "
                "de la réinitialiser.",
            },
            status=403,
        )
    if security.device_for(user) is None:
        return redirect("account_security")
    if request.method == "POST":
        security.disable_own_second_factor(user)
        messages.success(request, "La double authentification est désactivée pour votre compte.")
        return redirect("account_security")
    return render(
        request,
        "auth/two_factor_confirm.html",
        {
            "heading": "Désactiver la double authentification",
            "text": "Votre application d'authentification et vos codes de secours ne seront plus demandés ni "
            "acceptés. Vous pourrez la réactiver à tout moment.",
            "button": "Désactiver",
        },
    )
