from django.contrib.auth import views as auth_views
from django.urls import include, path

from citemploi.www.home import views as home_views

password_urls = [
    path(
        "oubli/",
        auth_views.PasswordResetView.as_view(template_name="auth/password_reset.html"),
        name="password_reset",
    ),
    path(
        "oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="auth/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "choix/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="auth/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "choisi/",
        auth_views.PasswordResetCompleteView.as_view(template_name="auth/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", home_views.home, name="home"),
    path("donnees-personnelles/", home_views.privacy, name="privacy"),
    path("accessibilite/", home_views.accessibility, name="accessibility"),
    path("", include("citemploi.www.auth.urls")),
    path("mot-de-passe/", include(password_urls)),
    path("personnes/", include("citemploi.www.people.urls")),
    path("partenaires/", include("citemploi.www.partners.urls")),
    path("qpv/", include("citemploi.www.territory.urls")),
    path("journal/", include("citemploi.www.audit.urls")),
    path("imports/", include("citemploi.www.imports.urls")),
    path("services/", include("citemploi.www.directory.urls")),
    path("offre/", include("citemploi.www.offer.urls")),
    path("partenariat/", include("citemploi.www.partnership.urls")),
    path("appels-a-projets/", include("citemploi.www.calls.urls")),
    path("jetons-api/", include("citemploi.www.apitokens.urls")),
    path("parcours/", include("citemploi.www.pathways.urls")),
    path("suivi/", include("citemploi.www.tracking.urls")),
    path("orientations/", include("citemploi.www.orientations.urls")),
    path("cohortes/", include("citemploi.www.cohorts.urls")),
    path("indicateurs/", include("citemploi.www.reporting.urls")),
    path("diagnostic/", include("citemploi.www.diagnostic.urls")),
    path("budget/", include("citemploi.www.budget.urls")),
]
