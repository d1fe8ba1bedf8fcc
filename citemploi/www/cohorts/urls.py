"""/cohortes/: screens of the cohorts domain."""

from django.urls import path

from citemploi.www.cohorts import views

app_name = "cohorts"
urlpatterns = [
    path("", views.cohort_list, name="list"),
    path("nouvelle/", views.cohort_create, name="create"),
    path("<int:pk>/", views.cohort_detail, name="detail"),
    path("<int:pk>/modifier/", views.cohort_edit, name="edit"),
    path("<int:pk>/etat/", views.cohort_state, name="state"),
    path("<int:pk>/proposer/", views.propose, name="propose"),
    path("proposer/personne/<int:person_pk>/", views.propose_person, name="propose_person"),
    path("candidatures/<int:member_pk>/sortie/", views.exit_member, name="exit"),
    path("commissions/", views.session_list, name="session_list"),
    path("commissions/nouvelle/", views.session_create, name="session_create"),
    path("commissions/<int:pk>/", views.session_detail, name="session_detail"),
    path("commissions/<int:pk>/modifier/", views.session_edit, name="session_edit"),
    path("commissions/<int:pk>/decisions/<int:member_pk>/", views.decide, name="decide"),
    path("commissions/<int:pk>/cloture/", views.session_close, name="session_close"),
    path("commissions/<int:pk>/compte-rendu.pdf", views.session_minutes, name="minutes"),
]
