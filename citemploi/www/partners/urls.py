from django.urls import path

from citemploi.www.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.structure_list, name="list"),
    path("nouvelle/", views.structure_create, name="create"),
    path("<int:pk>/", views.structure_detail, name="detail"),
    path("<int:pk>/modifier/", views.structure_edit, name="edit"),
    path("<int:pk>/membres/", views.member_add, name="member_add"),
    path("<int:pk>/membres/<int:membership_pk>/retrait/", views.member_remove, name="member_remove"),
]
