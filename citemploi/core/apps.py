from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "citemploi.core"
    label = "core"

    def ready(self) -> None:
        # Periodic jobs are declared in each app's tasks.py.
        autodiscover_modules("tasks")
