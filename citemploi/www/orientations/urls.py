"""/orientations/: screens of the orientations domain."""

from django.urls import URLPattern, URLResolver, path

from citemploi.www.orientations import views

app_name = "orientations"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.orientation_list, name="list"),
    path("nouvelle/", views.orientation_create, name="create"),
    path("parametres/", views.orientation_settings, name="settings"),
    path("<int:pk>/", views.orientation_detail, name="detail"),
    path("<int:pk>/reponse/", views.orientation_answer, name="answer"),
    path("<int:pk>/retrait/", views.orientation_withdraw, name="withdraw"),
    path("lien/<str:token>/", views.answer_link, name="link"),
]
