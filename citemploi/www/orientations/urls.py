"""/orientations/: screens of the orientations domain."""

from django.urls import URLPattern, URLResolver

app_name = "orientations"
urlpatterns: list[URLPattern | URLResolver] = []
