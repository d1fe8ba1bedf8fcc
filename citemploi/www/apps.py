from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "citemploi.www"
    label = "www"
