from django.contrib.auth import views as auth_views
from django.urls import path

from citemploi.www.auth import views

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("contexte/", views.choose_context, name="choose_context"),
]
