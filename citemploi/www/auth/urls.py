from django.urls import path

from citemploi.www.auth import account, reauth, views

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("connexion/double-authentification/", views.two_factor_verify, name="two_factor_verify"),
    path("connexion/double-authentification/activer/", views.two_factor_enrol, name="two_factor_enrol"),
    path("connexion/confirmer/", reauth.reauthenticate, name="reauthenticate"),
    path("connexion/proconnect/", views.proconnect_start, name="proconnect_start"),
    path("connexion/proconnect/retour/", views.proconnect_callback, name="proconnect_callback"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("contexte/", views.choose_context, name="choose_context"),
    path("compte/securite/", account.account_security, name="account_security"),
    path(
        "compte/securite/codes-de-secours/",
        account.regenerate_recovery_codes,
        name="recovery_codes_regenerate",
    ),
    path("compte/securite/desactiver/", account.disable_two_factor, name="two_factor_disable"),
    # These two take over the same addresses declared in citemploi/www/urls.py (this module is included
    # first): the request form and the single-use link are rate limited; a new password lifts the lockout.
    path("mot-de-passe/oubli/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/choix/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
