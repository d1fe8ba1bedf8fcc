from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "citemploi.pathways"
    label = "pathways"
    verbose_name = "Parcours : diagnostic, plan d'action, passage de relais"
