from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "citemploi.reporting"
    label = "reporting"
    verbose_name = "Indicateurs et tableaux de bord"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from citemploi.reporting import freshness

        # every connection reports its writes, so cached indicator results follow the data (freshness.py)
        connection_created.connect(freshness.on_connection_created, dispatch_uid="citemploi-data-versions")
