from django.urls import path

from citemploi.www.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.qpv_list, name="qpv_list"),
    path("<str:code>/modifier/", views.qpv_edit, name="qpv_edit"),
]
