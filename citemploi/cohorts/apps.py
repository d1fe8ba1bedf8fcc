from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "citemploi.cohorts"
    label = "cohorts"
    verbose_name = "Cohortes et commission"
