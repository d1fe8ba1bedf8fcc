"""/indicateurs/: screens of the reporting domain."""

from django.urls import URLPattern, URLResolver, path

from citemploi.www.reporting import views

app_name = "reporting"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("export.<str:fmt>", views.export, name="export"),
    path("rapport-copil.pdf", views.copil_report, name="copil_report"),
    path("qpv/<str:code>/", views.qpv_page, name="qpv"),
    path("structures/<int:pk>/", views.structure_page, name="structure"),
    path("cohortes/<int:pk>/", views.cohort_page, name="cohort"),
    path("national/", views.national, name="national"),
    path("national/export.<str:fmt>", views.national_export, name="national_export"),
    path("questionnaires/", views.questionnaire_list, name="questionnaires"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire"),
    path("questionnaires/<int:pk>/corriger/", views.questionnaire_adjust, name="questionnaire_adjust"),
    path("questionnaires/<int:pk>/valider/", views.questionnaire_validate, name="questionnaire_validate"),
    path("questionnaires/<int:pk>/recalculer/", views.questionnaire_refresh, name="questionnaire_refresh"),
    path("questionnaires/<int:pk>/export.<str:fmt>", views.questionnaire_export, name="questionnaire_export"),
]
