"""/suivi/: screens of the tracking domain."""

from django.urls import path

from citemploi.www.tracking import views

app_name = "tracking"
urlpatterns = [
    path("personnes/<int:pk>/journal/", views.journal, name="journal"),
    path("personnes/<int:pk>/journal.<str:fmt>", views.journal_export, name="journal_export"),
    path("personnes/<int:pk>/journal/nouvelle-entree/", views.entry_create, name="entry_create"),
    path("personnes/<int:pk>/journal/<int:entry_pk>/modifier/", views.entry_edit, name="entry_edit"),
    path("personnes/<int:pk>/sorties/", views.outcomes, name="outcomes"),
    path("personnes/<int:pk>/sorties/nouvelle/", views.outcome_create, name="outcome_create"),
    path("points-de-suivi/", views.checks_due, name="checks_due"),
    path("points-de-suivi/<int:check_pk>/", views.check_record, name="check_record"),
    path("parametres/", views.settings_edit, name="settings"),
]
