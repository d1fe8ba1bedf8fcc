from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "citemploi.core"
    label = "core"
