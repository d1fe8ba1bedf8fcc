"""/parcours/: screens of the pathways domain."""

from django.urls import URLPattern, URLResolver

app_name = "pathways"
urlpatterns: list[URLPattern | URLResolver] = []
