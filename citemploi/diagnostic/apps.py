from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "citemploi.diagnostic"
    label = "diagnostic"
    verbose_name = "Diagnostic partagé"
