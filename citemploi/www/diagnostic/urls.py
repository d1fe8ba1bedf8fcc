"""/diagnostic/: screens of the diagnostic domain."""

from django.urls import URLPattern, URLResolver

app_name = "diagnostic"
urlpatterns: list[URLPattern | URLResolver] = []
