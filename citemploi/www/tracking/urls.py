"""/suivi/: screens of the tracking domain."""

from django.urls import URLPattern, URLResolver

app_name = "tracking"
urlpatterns: list[URLPattern | URLResolver] = []
