from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "citemploi.partners"
    label = "partners"
