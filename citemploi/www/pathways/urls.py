"""/parcours/: screens of the pathways domain."""

from django.urls import URLPattern, URLResolver, path

from citemploi.www.pathways import views

app_name = "pathways"
urlpatterns: list[URLPattern | URLResolver] = [
    path("personnes/<int:pk>/", views.pathway_detail, name="detail"),
    path("personnes/<int:pk>/freins/nouveau/", views.barrier_create, name="barrier_create"),
    path("personnes/<int:pk>/freins/<int:barrier_pk>/modifier/", views.barrier_edit, name="barrier_edit"),
    path(
        "personnes/<int:pk>/freins/<int:barrier_pk>/etat/",
        views.barrier_transition,
        name="barrier_transition",
    ),
    path("personnes/<int:pk>/objectifs/nouveau/", views.objective_create, name="objective_create"),
    path(
        "personnes/<int:pk>/objectifs/<int:objective_pk>/etat/",
        views.objective_transition,
        name="objective_transition",
    ),
    path("personnes/<int:pk>/actions/nouvelle/", views.action_create, name="action_create"),
    path(
        "personnes/<int:pk>/actions/<int:action_pk>/etat/", views.action_transition, name="action_transition"
    ),
    path("personnes/<int:pk>/passage-de-relais/", views.handover, name="handover"),
]
