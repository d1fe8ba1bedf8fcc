from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "citemploi.reporting"
    label = "reporting"
    verbose_name = "Indicateurs et tableaux de bord"
