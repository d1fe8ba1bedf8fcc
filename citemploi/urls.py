from django.conf import settings
from django.urls import include, path

from citemploi.api.urls import api
from citemploi.core import health as core_health
from citemploi.www import health

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("sante/", core_health.liveness, name="health_liveness"),
    path("sante/pret/", core_health.readiness, name="health_readiness"),
    path("", include("citemploi.www.urls")),
]

if settings.CITEMPLOI_BENCH:  # the benchmark's framework floor; unnamed and absent outside benchmarks
    urlpatterns.insert(0, path("sante/plancher/", core_health.bench_floor))

handler403 = "citemploi.www.errors.forbidden"
handler404 = "citemploi.www.errors.not_found"
