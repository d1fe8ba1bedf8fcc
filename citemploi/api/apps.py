from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "citemploi.api"
    label = "api"
