"""Sign-in screens: password (with lockout), second factor (enrolment, code), identity confirmation, context."""

from typing import Any, cast
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from citemploi.accounts import proconnect, security
from citemploi.accounts.models import SignInAttempt, User
from citemploi.core import audit
from citemploi.core.context import ActingContext
from citemploi.core.middleware import SESSION_KEY
from citemploi.core.ratelimit import client_ip, rate_limit
from citemploi.partners.models import Membership


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return next_url


def to_step(name: str, next_url: str) -> str:
    """The URL of a sign-in step, carrying where to go afterwards."""
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def signed_in_user(request: HttpRequest) -> User:
    """The signed-in user (the views below are not open to anonymous users)."""
    return cast(User, request.user)


def _ctx(user: User) -> ActingContext:
    return ActingContext(user=user, membership=None)


# --- Password ---------------------------------------------------------------------------------------------


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse e-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request else None
        if self.request is not None and security.is_locked(email, ip):
            raise ValidationError(security.LOCKED_MESSAGE, code="locked")
        try:
            return super().clean()
        except ValidationError:
            if self.request is not None and email:
                security.record_attempt(self.request, email, succeeded=False)
                if security.is_locked(email, ip):
                    raise ValidationError(security.LOCKED_MESSAGE, code="locked") from None
            raise


def finish_sign_in(
    request: HttpRequest, user: User, *, next_url: str, second_factor: bool = False
) -> HttpResponse:
    """After the first factor (password or ProConnect): session marks, then the second factor if needed."""
    security.mark_signed_in(request, second_factor=second_factor)
    audit.log(_ctx(user), "auth.signed_in", user, changes={"ip": client_ip(request)})
    if not second_factor and security.requires_second_factor(user):
        name = "two_factor_verify" if security.device_for(user) else "two_factor_enrol"
        return redirect(to_step(name, next_url))
    return redirect(next_url)


@method_decorator(login_not_required, name="dispatch")
@method_decorator(
    rate_limit("auth.sign_in", limit=lambda: settings.SIGNIN_IP_MAX_FAILURES * 2, window=15 * 60), name="post"
)
class LoginView(auth_views.LoginView):
    template_name = "auth/login.html"
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {"proconnect": proconnect.is_configured()}

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = cast(User, form.get_user())
        security.record_attempt(self.request, user.email, succeeded=True)
        next_url = self.get_success_url()
        super().form_valid(form)  # signs in (new session key)
        return finish_sign_in(self.request, user, next_url=next_url)


class LogoutView(auth_views.LogoutView):
    """Signs out here, then at ProConnect too when the session was opened through it."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get(proconnect.SESSION_ID_TOKEN)
        if request.user.is_authenticated:
            audit.log(_ctx(signed_in_user(request)), "auth.signed_out", request.user)
        response = super().post(request, *args, **kwargs)
        if id_token and proconnect.is_configured():
            url = proconnect.logout_url(id_token)
            if url:
                return redirect(url)
        return response


# --- ProConnect -------------------------------------------------------------------------------------------


@login_not_required
@rate_limit("auth.proconnect", limit=30, window=15 * 60, methods=("GET",))
def proconnect_start(request: HttpRequest) -> HttpResponse:
    if not proconnect.is_configured():
        return redirect("login")
    try:
        return redirect(proconnect.authorization_url(request.session, _safe_next(request)))
    except proconnect.ProConnectError as exc:
        audit.log(None, "auth.proconnect_failed", changes={"reason": exc.reason, "ip": client_ip(request)})
        messages.error(
            request,
            "ProConnect ne répond pas pour le moment. Réessayez plus tard ou utilisez votre mot de passe.",
        )
        return redirect("login")


@login_not_required
@rate_limit("auth.proconnect", limit=30, window=15 * 60, methods=("GET",))
def proconnect_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with a code: check everything, then sign the user in."""
    if not proconnect.is_configured():
        return redirect("login")
    try:
        identity, next_url = proconnect.complete(request.session, request.GET.dict())
    except proconnect.ProConnectError as exc:
        audit.log(None, "auth.proconnect_failed", changes={"reason": exc.reason, "ip": client_ip(request)})
        messages.error(request, exc.message)
        return redirect("login")
    user = identity.user
    if security.is_locked(user.email, None):
        messages.error(request, security.LOCKED_MESSAGE)
        return redirect("login")
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[proconnect.SESSION_ID_TOKEN] = identity.id_token
    audit.log(
        _ctx(user),
        "auth.proconnect_signed_in",
        user,
        changes={"acr": identity.claims.get("acr", ""), "provider_mfa": identity.provider_mfa},
    )
    security.record_attempt(request, user.email, succeeded=True)
    return finish_sign_in(request, user, next_url=next_url or "/", second_factor=identity.provider_mfa)


# --- Password reset: rate limited, and a new password lifts the lockout --------------------------------------


@method_decorator(login_not_required, name="dispatch")
@method_decorator(
    rate_limit("auth.password_reset", limit=lambda: settings.PASSWORD_RESET_PER_HOUR, window=3600),
    name="post",
)
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "auth/password_reset.html"


@method_decorator(login_not_required, name="dispatch")
@method_decorator(
    rate_limit("auth.password_link", limit=30, window=3600, methods=("GET", "POST")), name="dispatch"
)
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "auth/password_reset_confirm.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security.record_attempt(self.request, self.user.email, succeeded=True)
        user = cast(User, self.user)
        audit.log(_ctx(user), "auth.password_set", user)
        return response


# --- Second factor ----------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code de vérification",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres ou code de secours",
        help_text="Le code affiché par votre application d'authentification, ou l'un de vos codes de secours.",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


def _qr_svg(uri: str) -> str:
    svg = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=12).to_string(
        encoding="unicode"
    )
    label = "QR code à scanner avec votre application d'authentification"
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def _locked_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.error(request, security.LOCKED_MESSAGE)
    return redirect("login")


def _group_secret(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of a user who needs a second factor: scan, confirm with a code, keep the recovery codes."""
    user = signed_in_user(request)
    next_url = _safe_next(request)
    if security.device_for(user) is not None:
        # Replacing an authenticator needs the current one (or `citemploi reset_2fa`): never with a password only.
        return redirect(to_step("two_factor_verify", next_url))
    secret = request.session.get(security.PENDING_SECRET)
    if not secret:
        secret = security.new_secret()
        request.session[security.PENDING_SECRET] = secret
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = security.enrol(user, secret, form.cleaned_data["code"])
        if codes is not None:
            security.record_attempt(
                request, user.email, succeeded=True, kind=SignInAttempt.Kind.SECOND_FACTOR
            )
            security.mark_second_factor_done(request)
            return render(
                request,
                "auth/two_factor_recovery_codes.html",
                {"codes": codes, "next": next_url, "heading": "Double authentification activée"},
            )
        security.record_attempt(request, user.email, succeeded=False, kind=SignInAttempt.Kind.SECOND_FACTOR)
        if security.is_locked(user.email, None):
            return _locked_out(request)
        form.add_error(
            "code", "Ce code n'est pas valable. Saisissez le code affiché en ce moment par l'application."
        )
    return render(
        request,
        "auth/two_factor_enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": mark_safe(_qr_svg(security.provisioning_uri(user, secret))),  # noqa: S308 - generated SVG
            "secret": _group_secret(secret),
        },
    )


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code asked after the password, at each sign-in."""
    user = signed_in_user(request)
    next_url = _safe_next(request)
    if request.session.get(security.SECOND_FACTOR_DONE):
        return redirect(next_url)
    if security.device_for(user) is None:
        return redirect(to_step("two_factor_enrol", next_url))
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if security.is_locked(user.email, None):
            return _locked_out(request)
        kind = security.verify(user, form.cleaned_data["code"])
        if kind is not None:
            security.record_attempt(
                request, user.email, succeeded=True, kind=SignInAttempt.Kind.SECOND_FACTOR
            )
            audit.log(_ctx(user), "auth.2fa_succeeded", user, changes={"method": kind})
            security.mark_second_factor_done(request)
            if kind == "recovery":
                left = security.remaining_recovery_codes(user)
                messages.warning(
                    request,
                    f"Vous avez utilisé un code de secours ; il vous en reste {left}. "
                    "Si vous avez perdu votre téléphone, demandez la réinitialisation de votre double authentification.",
                )
            return redirect(next_url)
        security.record_attempt(request, user.email, succeeded=False, kind=SignInAttempt.Kind.SECOND_FACTOR)
        if security.is_locked(user.email, None):
            return _locked_out(request)
        form.add_error("code", "Ce code n'est pas valable, ou il a déjà servi. Attendez le code suivant.")
    return render(request, "auth/two_factor_verify.html", {"form": form, "next": next_url})


# --- Context ----------------------------------------------------------------------------------------------


def choose_context(request: HttpRequest) -> HttpResponse:
    """The user picks the cité, structure and role they act with; kept in the session."""
    memberships = list(
        Membership.objects.filter(user=request.user, is_active=True).select_related("cite", "structure")
    )
    next_url = _safe_next(request)
    error = None
    if request.method == "POST":
        chosen = next((m for m in memberships if str(m.pk) == request.POST.get("membership")), None)
        if chosen is not None:
            request.session[SESSION_KEY] = chosen.pk
            return redirect(next_url)
        error = "Choisissez l'un de vos rôles."
    current = request.session.get(SESSION_KEY)
    return render(
        request,
        "auth/choose_context.html",
        {"memberships": memberships, "current": current, "next": next_url, "error": error},
    )
