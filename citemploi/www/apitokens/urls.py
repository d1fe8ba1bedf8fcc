from django.urls import path

from citemploi.www.apitokens import views

app_name = "apitokens"
urlpatterns = [path("", views.token_list, name="list")]
