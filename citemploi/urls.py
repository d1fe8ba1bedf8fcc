from django.urls import include, path

from citemploi.api.urls import api
from citemploi.www import health

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("citemploi.www.urls")),
]

handler403 = "citemploi.www.errors.forbidden"
handler404 = "citemploi.www.errors.not_found"
