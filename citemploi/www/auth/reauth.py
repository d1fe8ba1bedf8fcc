"""Re-authentication before sensitive acts: the password (and the second-factor code for users who have one)
entered again within the last few minutes.

Apply to the view of a sensitive act (bulk export, erasure of a person, break-glass access)::

    from citemploi.www.auth.reauth import reauth_required

    @reauth_required                      # within settings.REAUTH_MAX_AGE seconds (10 minutes by default)
    @action_required("beneficiary.export")
    def beneficiary_export(request, fmt): ...

    @reauth_required(max_age=300)         # a stricter delay for this act
    def erase(request, pk): ...

Put it outermost (above `action_required`), so that the identity is confirmed before anything else. A GET is
sent back to the same address after the confirmation. A POST is not replayed (its form data would be lost in
the redirection): the user lands on the GET of the same address, so the view should show its confirmation form
there and the user submits it again; htmx requests get an `HX-Redirect` to the confirmation page.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render

from citemploi.accounts import security
from citemploi.accounts.models import SignInAttempt
from citemploi.core import audit
from citemploi.core.context import ActingContext
from citemploi.www.auth.views import _locked_out, _safe_next, signed_in_user, to_step


def recently_authenticated(request: HttpRequest, max_age: int) -> bool:
    done_at = request.session.get(security.AUTHENTICATED_AT)
    return done_at is not None and time.time() - done_at <= max_age


def reauth_required(view: Callable | None = None, *, max_age: int | None = None) -> Callable:
    """The view needs the identity confirmed within `max_age` seconds (REAUTH_MAX_AGE by default)."""

    def decorator(view_func: Callable) -> Callable:
        @wraps(view_func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            limit = max_age if max_age is not None else settings.REAUTH_MAX_AGE
            if request.user.is_authenticated and not recently_authenticated(request, limit):
                target = request.get_full_path() if request.method == "GET" else request.path
                url = to_step("reauthenticate", target)
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return HttpResponseRedirect(url)
            return view_func(request, *args, **kwargs)

        wrapped.reauth_max_age = max_age  # type: ignore[attr-defined]
        return wrapped

    if view is not None:
        return decorator(view)
    return decorator


class ReauthForm(forms.Form):
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, with_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_code:
            self.fields["code"] = forms.CharField(
                label="Code à 6 chiffres de votre application d'authentification",
                max_length=20,
                widget=forms.TextInput(
                    attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
                ),
            )


def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Confirm one's identity (password, and the TOTP code when the user has an authenticator)."""
    user = signed_in_user(request)
    next_url = _safe_next(request)
    with_code = security.device_for(user) is not None
    form = ReauthForm(request.POST or None, with_code=with_code)
    if request.method == "POST" and form.is_valid():
        if security.is_locked(user.email, None):
            return _locked_out(request)
        ok = user.check_password(form.cleaned_data["password"])
        if ok and with_code:
            ok = security.verify(user, form.cleaned_data["code"]) == "totp"
        if ok:
            security.record_attempt(request, user.email, succeeded=True, kind=SignInAttempt.Kind.REAUTH)
            security.mark_reauthenticated(request)
            audit.log(ActingContext(user=user, membership=None), "auth.reauthenticated", user)
            return redirect(next_url)
        security.record_attempt(request, user.email, succeeded=False, kind=SignInAttempt.Kind.REAUTH)
        if security.is_locked(user.email, None):
            return _locked_out(request)
        form.add_error(
            None,
            "Mot de passe ou code incorrect." if with_code else "Mot de passe incorrect.",
        )
    return render(
        request,
        "auth/reauthenticate.html",
        {
            "form": form,
            "next": next_url,
            "with_code": with_code,
            "minutes": max(1, settings.REAUTH_MAX_AGE // 60),
        },
    )
