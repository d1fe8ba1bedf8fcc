from django.apps import AppConfig


class OrientationsConfig(AppConfig):
    name = "citemploi.orientations"
    label = "orientations"
    verbose_name = "Orientations en boucle fermée"

    def ready(self) -> None:
        from citemploi.orientations import extensions
        from citemploi.partnership.network import EdgeSource, register_edge_source
        from citemploi.people.panels import FilePanel, register_file_panel
        from citemploi.people.risks import RiskSignal, register_risk_signal

        register_file_panel(
            FilePanel("orientations", 40, "orientations/_file_panel.html", extensions.file_panel)
        )
        register_risk_signal(
            RiskSignal(
                "orientation_unanswered",
                "Orientation sans réponse",
                extensions.unanswered,
                30,
                condition=extensions.unanswered_condition,
            )
        )
        source = EdgeSource("orientations", "Orientations", extensions.network_pairs)
        from citemploi.partnership.network import EDGE_SOURCES

        if not any(s.key == source.key for s in EDGE_SOURCES):
            register_edge_source(source)
