from django.apps import AppConfig


class SecrecyConfig(AppConfig):
    name = "citemploi.secrecy"
    label = "secrecy"
    verbose_name = "Secret statistique"
