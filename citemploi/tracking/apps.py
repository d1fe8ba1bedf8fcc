from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "citemploi.tracking"
    label = "tracking"
    verbose_name = "Suivi : journal, sorties et maintien dans l'emploi"

    def ready(self) -> None:
        from citemploi.tracking import panels, risks

        panels.register()
        risks.register()
