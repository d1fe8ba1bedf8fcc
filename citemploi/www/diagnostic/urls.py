"""/diagnostic/: screens of the diagnostic domain."""

from django.urls import URLPattern, URLResolver, path

from citemploi.www.diagnostic import views

app_name = "diagnostic"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("importer/", views.import_references, name="import"),
    path("modele.csv", views.template_csv, name="template"),
    path("secret-statistique/", views.secrecy, name="secrecy"),
    path("<str:code>/export.<str:fmt>", views.export, name="export"),
    path("<str:code>/indicateurs/<int:year>/", views.reference_edit, name="reference_edit"),
]
