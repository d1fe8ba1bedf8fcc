from django.urls import path

from citemploi.www.imports import views

app_name = "imports"
urlpatterns = [path("personnes/", views.people_import, name="people")]
