from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "citemploi.demo"
    label = "demo"
