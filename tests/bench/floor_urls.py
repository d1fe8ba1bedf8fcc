"""The URL configuration of the site with the benchmark's floor page, as CITEMPLOI_BENCH=true builds it."""

from django.urls import path

from citemploi.core import health
from citemploi.urls import handler403, handler404
from citemploi.urls import urlpatterns as site_patterns

urlpatterns = [path("sante/plancher/", health.bench_floor), *site_patterns]

__all__ = ["handler403", "handler404", "urlpatterns"]
