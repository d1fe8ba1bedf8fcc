"""/budget/: screens of the budget domain."""

from django.urls import URLPattern, URLResolver, path

from citemploi.www.budget import views

app_name = "budget"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("creer/", views.create, name="create"),
    path("<int:year>/modifier/", views.edit, name="edit"),
    path("<int:year>/export.<str:fmt>", views.export, name="export"),
    path("<int:year>/cofinancements/ajouter/", views.cofunding_add, name="cofunding_add"),
    path("cofinancements/<int:cofunding_pk>/supprimer/", views.cofunding_delete, name="cofunding_delete"),
    path("<int:year>/engagements/ajouter/", views.commitment_add, name="commitment_add"),
    path("engagements/<int:commitment_pk>/", views.commitment_edit, name="commitment_edit"),
    path("engagements/<int:commitment_pk>/supprimer/", views.commitment_delete, name="commitment_delete"),
    path("engagements/<int:commitment_pk>/versements/ajouter/", views.payment_add, name="payment_add"),
    path("versements/<int:payment_pk>/supprimer/", views.payment_delete, name="payment_delete"),
]
