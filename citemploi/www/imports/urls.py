from django.urls import path

from citemploi.www.imports import views

app_name = "imports"
urlpatterns = [
    path("personnes/", views.people_import, name="people"),
    path("personnes/colonnes/", views.people_mapping, name="people_mapping"),
    path("personnes/verification/", views.people_preview, name="people_preview"),
    path("personnes/rapport.csv", views.people_report, name="people_report"),
    path("personnes/modele.csv", views.people_template, name="people_template"),
    path("personnes/termine/", views.people_done, name="people_done"),
]
