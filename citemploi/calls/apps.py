from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "citemploi.calls"
    label = "calls"
