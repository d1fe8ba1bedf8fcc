"""Cohorts, proposals of candidates and the monthly commission."""

from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "citemploi.cohorts"
    label = "cohorts"
    verbose_name = "Cohortes et commission"

    def ready(self) -> None:
        from citemploi.cohorts.panels import build_panel
        from citemploi.people.panels import FilePanel, register_file_panel

        register_file_panel(FilePanel("cohorts", 40, "cohorts/_file_panel.html", build_panel))
