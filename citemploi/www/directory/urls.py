from django.urls import path

from citemploi.www.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.home, name="home"),
    path("resultats/", views.results, name="results"),
    path("<int:pk>/", views.service, name="service"),
]
