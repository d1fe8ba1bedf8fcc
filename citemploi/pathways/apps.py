from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "citemploi.pathways"
    label = "pathways"
    verbose_name = "Parcours : diagnostic, plan d'action, passage de relais"

    def ready(self) -> None:
        from citemploi.pathways import queries
        from citemploi.people.panels import FilePanel, register_file_panel
        from citemploi.people.risks import RiskSignal, register_risk_signal

        register_file_panel(FilePanel("pathway", 20, "pathways/panel.html", queries.panel_summary))
        register_risk_signal(
            RiskSignal(
                "unaddressed_barrier",
                "Frein non traité",
                queries.unaddressed_barriers,
                order=20,
                condition=queries.unaddressed_condition,
            )
        )
