"""/indicateurs/: screens of the reporting domain."""

from django.urls import URLPattern, URLResolver

app_name = "reporting"
urlpatterns: list[URLPattern | URLResolver] = []
