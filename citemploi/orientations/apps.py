from django.apps import AppConfig


class OrientationsConfig(AppConfig):
    name = "citemploi.orientations"
    label = "orientations"
    verbose_name = "Orientations en boucle fermée"
