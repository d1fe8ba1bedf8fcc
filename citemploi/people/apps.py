from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "citemploi.people"
    label = "people"
