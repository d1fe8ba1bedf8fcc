from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme

from citemploi.core.middleware import SESSION_KEY
from citemploi.partners.models import Membership


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse e-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "auth/login.html"
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


def choose_context(request: HttpRequest) -> HttpResponse:
    """The user picks the cité, structure and role they act with; kept in the session."""
    memberships = list(
        Membership.objects.filter(user=request.user, is_active=True).select_related("cite", "structure")
    )
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
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
