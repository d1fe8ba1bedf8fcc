"""/budget/: screens of the budget domain."""

from django.urls import URLPattern, URLResolver

app_name = "budget"
urlpatterns: list[URLPattern | URLResolver] = []
