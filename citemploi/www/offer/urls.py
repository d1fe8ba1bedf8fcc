from django.urls import path

from citemploi.www.offer import views

app_name = "offer"
urlpatterns = [
    path("", views.service_list, name="list"),
    path("nouveau/", views.service_create, name="create"),
    path("<int:pk>/", views.service_detail, name="detail"),
    path("<int:pk>/modifier/", views.service_edit, name="edit"),
    path("<int:pk>/a-jour/", views.service_confirm, name="confirm"),
    path("a-actualiser/", views.stale_list, name="stale"),
    path("freins/", views.barrier_list, name="barriers"),
    path("import/", views.import_upload, name="import"),
    path("import/verification/", views.import_preview, name="import_preview"),
    path("import/rapport.csv", views.import_report, name="import_report"),
    path("export/<str:kind>.<str:fmt>", views.export, name="export"),
    path("besoins-non-couverts/", views.unmet_needs, name="unmet_needs"),
]
